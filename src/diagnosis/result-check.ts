// Decides whether a COMPLETED workflow's result reads like an error (the runbook's "false
// positive"). Pure: imported by workflow code and by the CLI alike.
import { defaultResultRule, type ResultRule } from '../contract/result-rule.js';

export interface ResultCheck {
  looksLikeError: boolean;
  /** Why, quoting the key and value that matched; empty when the result looks fine. */
  reason: string;
  /** Set when the result could not be read here (a codec's encoding, binary protobuf, ...): why. Nothing was checked. */
  unreadable?: string;
}

const fine: ResultCheck = { looksLikeError: false, reason: '' };

/** What a check of a COMPLETED run says when its result could not be read (`ResultCheck.unreadable`). */
export function unreadableResult(why: string): string {
  return `COMPLETED, but its result could not be read here: ${why}`;
}

/** Checks a decoded result against the rule; only the top level of an object is read. */
export function checkResult(result: unknown, rule: Partial<ResultRule> = {}): ResultCheck {
  const r = { ...defaultResultRule, ...rule };
  if (typeof result === 'string') {
    const lower = result.trim().toLowerCase();
    const prefix = r.stringPrefixes.find((p) => lower.startsWith(p.toLowerCase()));
    return prefix ? { looksLikeError: true, reason: `result string starts with "${prefix}"` } : fine;
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return fine;
  const record = result as Record<string, unknown>;
  const errorValues = new Set(r.errorValues.map((v) => v.toLowerCase()));
  for (const key of r.statusKeys) {
    const value = record[key];
    if (typeof value === 'string' && errorValues.has(value.toLowerCase())) {
      return { looksLikeError: true, reason: `result.${key} is "${value}"` };
    }
  }
  for (const key of r.errorKeys) {
    const value = record[key];
    if (value !== undefined && value !== null && value !== false && value !== '') {
      if (Array.isArray(value) && value.length === 0) continue;
      return {
        looksLikeError: true,
        reason: `result.${key} is set (${JSON.stringify(value).slice(0, 120)})`,
      };
    }
  }
  for (const key of r.falseMeansError) {
    if (record[key] === false) return { looksLikeError: true, reason: `result.${key} is false` };
  }
  return fine;
}
