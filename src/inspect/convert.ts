// The boundary where raw API values (Long, {seconds, nanos}, numeric enums) become plain data.
import type { google } from '@temporalio/proto';

type Longish = number | string | { toNumber(): number } | null | undefined;

/** A Long, number or numeric string as a JS number (0 when absent). */
export function toNumber(value: Longish): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/** A protobuf Timestamp as epoch milliseconds; undefined when absent. */
export function timestampMs(ts: google.protobuf.ITimestamp | null | undefined): number | undefined {
  if (!ts) return undefined;
  return toNumber(ts.seconds as Longish) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** A protobuf Duration as milliseconds; undefined when absent. */
export function durationMs(d: google.protobuf.IDuration | null | undefined): number | undefined {
  if (!d) return undefined;
  return toNumber(d.seconds as Longish) * 1000 + Math.floor((d.nanos ?? 0) / 1e6);
}

const enumCache = new Map<Record<string, unknown>, Map<number, string>>();

/**
 * An enum number as its name without the given prefix (WORKFLOW_EXECUTION_STATUS_RUNNING -> RUNNING),
 * 'UNKNOWN' when it has none; the reverse map is built once per enum, for hot paths.
 */
export function enumNameCached(
  values: Record<string, unknown>,
  value: number | null | undefined,
  prefix: string,
): string {
  let names = enumCache.get(values);
  if (!names) {
    names = new Map();
    for (const [key, v] of Object.entries(values))
      if (typeof v === 'number' && !names.has(v)) names.set(v, key);
    enumCache.set(values, names);
  }
  const name = value === null || value === undefined ? undefined : names.get(value);
  return name ? name.replace(prefix, '') : 'UNKNOWN';
}

/** SCREAMING_SNAKE to PascalCase: WORKFLOW_TASK_FAILED -> WorkflowTaskFailed. */
export function pascalCase(screaming: string): string {
  return screaming
    .toLowerCase()
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** SCREAMING_SNAKE to kebab-case: CANCEL_REQUESTED -> cancel-requested. */
export function kebabCase(screaming: string): string {
  return screaming.toLowerCase().replace(/_/g, '-');
}
