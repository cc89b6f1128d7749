// Workflow-ID patterns for a bulk clear: a glob (`*` any run of characters, `?` one character) or,
// without either, a prefix. Matched by hand in linear-ish time: no regular expression is built from
// input. Pure: imported by workflow code and activities alike.

/** True when the pattern has a wildcard; otherwise it is a prefix. */
function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** The literal text every matching ID starts with: the part before the first wildcard. */
export function literalPrefix(pattern: string): string {
  const first = pattern.search(/[*?]/);
  return first === -1 ? pattern : pattern.slice(0, first);
}

/** True when `id` matches the pattern: the glob as a whole, or the prefix. */
export function matchesIdPattern(pattern: string, id: string): boolean {
  if (!isGlob(pattern)) return id.startsWith(pattern);
  // Greedy match with one backtrack point (the last `*`): O(pattern × id) at worst, no recursion.
  let p = 0;
  let i = 0;
  let star = -1;
  let starI = 0;
  while (i < id.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      starI = i;
    } else if (c !== undefined && (c === '?' || c === id[i])) {
      p++;
      i++;
    } else if (star !== -1) {
      p = star + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
