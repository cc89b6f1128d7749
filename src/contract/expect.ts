// Expectations on values a recipe reads (update results, query answers, workflow results).
// Pure: imported by workflow code.

/**
 * Partial deep match: every key of an expected object must match in the actual object (extra
 * actual keys are fine); arrays match element by element and by length; other values by ===.
 * Returns undefined on a match, else where and how they differ.
 */
export function mismatch(actual: unknown, expected: unknown, path = 'value'): string | undefined {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length)
      return `${path}: expected ${expected.length} items, got ${actual.length}`;
    for (const [i, item] of expected.entries()) {
      const found = mismatch(actual[i], item, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    }
    for (const [key, value] of Object.entries(expected)) {
      const found = mismatch((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return actual === expected
    ? undefined
    : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}
