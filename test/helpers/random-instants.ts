// Seeded random instants for crash tests: a run printed with its seed can be replayed exactly.

/** mulberry32: a small, fast PRNG; the same seed gives the same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `envName` when set (to replay a run), else a fresh one. */
export function seedFrom(envName: string): number {
  const given = process.env[envName];
  if (given !== undefined && given !== '') {
    const seed = Number(given);
    if (!Number.isInteger(seed) || seed < 0)
      throw new Error(`${envName}: expected a non-negative integer, got ${given}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/**
 * `count` instants spread over [0, durationMs): one uniform draw inside each of `count` equal
 * slices, so every part of the run is hit, in random order.
 */
export function spreadInstants(random: () => number, count: number, durationMs: number): number[] {
  const slice = durationMs / count;
  const instants = Array.from({ length: count }, (_, i) => Math.round((i + random()) * slice));
  for (let i = instants.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [instants[i], instants[j]] = [instants[j]!, instants[i]!];
  }
  return instants;
}
