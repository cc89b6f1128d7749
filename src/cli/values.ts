// Option-argument parsers: each turns one flag's text into a value or rejects it with what it expected.
// Commander prefixes the rejection with the flag and the bad value, and the CLI exits 2.
import { isIP } from 'node:net';
import { InvalidArgumentError } from 'commander';
import { parseSink } from '../contract/notify.js';
import { APPLIED_REMEDIES } from '../contract/debug-stalled-input.js';

/** A number >= `min` (an integer when `integer`). */
export function numberAtLeast(min: number, integer = false): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)))
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} >= ${min}`);
    return value;
  };
}

/** A number > 0 (an integer when `integer`). */
export function positive(integer = false): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
      throw new InvalidArgumentError(`expected a positive ${integer ? 'integer' : 'number'}`);
    return value;
  };
}

/** Any JSON value. */
export function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`expected JSON (${(error as Error).message})`);
  }
}

/** A JSON object (not an array, not null). */
export function jsonObject(text: string): Record<string, unknown> {
  const value = json(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidArgumentError('expected a JSON object');
  return value as Record<string, unknown>;
}

/** A JSON array. */
export function jsonArray(text: string): unknown[] {
  const value = json(text);
  if (!Array.isArray(value)) throw new InvalidArgumentError('expected a JSON array');
  return value;
}

/** A repeatable flag: every value, in order. */
export function collect(text: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), text];
}

/** A repeatable `KEY=VALUE` flag; the value may itself contain '='. */
export function envPair(text: string, previous: Record<string, string> | undefined): Record<string, string> {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected KEY=VALUE');
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|seconds?|minutes?|hours?|days?)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration of at least one second such as 30s, 5m or 1h, kept as text (Temporal parses it). */
export function interval(text: string): string {
  const match = DURATION.exec(text.trim());
  const unit = match?.[2] === 'ms' ? 'ms' : match?.[2]?.[0];
  const ms = match && unit ? Number(match[1]) * (UNIT_MS[unit] ?? 0) : 0;
  if (ms < 1000) throw new InvalidArgumentError('expected a duration of at least 1s, such as 30s, 5m or 1h');
  return text.trim();
}

/** A duration in milliseconds, such as 500ms, 30s, 5m or 1h (Go's forms; a bare number is seconds). */
export function commandTimeout(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  let ms = 0;
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else if (parts.map((p) => p[0]).join('') === trimmed)
    for (const [, amount, unit] of parts)
      ms += Number(amount) * (UNIT_MS[unit === 'ms' ? 'ms' : (unit ?? '')] ?? 0);
  if (!(ms > 0)) throw new InvalidArgumentError('expected a duration such as 500ms, 30s, 5m or 1h30m');
  return ms;
}

/** An IP:PORT to listen on, as the SDK's metrics exporter takes it (IPv4, [IPv6], or localhost for 127.0.0.1). */
export function listenAddress(text: string): string {
  const match = /^(.+):(\d{1,5})$/.exec(text.trim());
  const typed = match?.[1] ?? '';
  const host = typed === 'localhost' ? '127.0.0.1' : typed;
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const port = Number(match?.[2]);
  if (isIP(bare) !== (bare === host ? 4 : 6) || !(port >= 1 && port <= 65535))
    throw new InvalidArgumentError(
      'expected IP:PORT with a port from 1 to 65535, such as 127.0.0.1:9464 ([::1]:9464 for IPv6; localhost means 127.0.0.1)',
    );
  return `${host}:${port}`;
}

/** A repeatable notification sink: an http(s) URL, slack+https://… or cmd:<command>. */
export function notifySink(text: string, previous: string[] | undefined): string[] {
  const parsed = parseSink(text);
  if ('expected' in parsed) throw new InvalidArgumentError(`expected ${parsed.expected}`);
  return [...(previous ?? []), text];
}

/** A kind of remedy a scheduled sweep applies on its own (repeatable). */
export function remedyKind(text: string, previous: string[] | undefined): string[] {
  const kinds: readonly string[] = APPLIED_REMEDIES;
  if (!kinds.includes(text)) throw new InvalidArgumentError(`expected one of ${kinds.join(', ')}`);
  return [...new Set([...(previous ?? []), text])];
}

/** A duration of at least one minute such as 30m, 4h or 1d, in whole seconds. */
export function repeatSeconds(text: string): number {
  const match = DURATION.exec(text.trim());
  const unit = match?.[2] === 'ms' ? 'ms' : match?.[2]?.[0];
  const ms = match && unit ? Number(match[1]) * (UNIT_MS[unit] ?? 0) : 0;
  if (ms < 60_000 || ms > 30 * 86_400_000)
    throw new InvalidArgumentError('expected a duration from 1m to 30d, such as 30m, 4h or 1d');
  return Math.round(ms / 1000);
}
