// Bounded concurrency for fan-out reads: never more than `limit` calls in flight, items pulled
// lazily from the source, so memory stays flat however many items the source yields.

/**
 * Maps items through `fn` with at most `limit` calls in flight and yields results as they settle
 * (not in input order). The source is pulled only when a slot is free. If `fn` rejects, the
 * generator throws after the calls already in flight have settled.
 */
export async function* mapBounded<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : (source as Iterable<T>)[Symbol.iterator]();
  const inFlight = new Map<
    number,
    Promise<{ id: number; ok: true; value: R } | { id: number; ok: false; error: unknown }>
  >();
  let nextId = 0;
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && inFlight.size < limit) {
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        return;
      }
      const id = nextId++;
      inFlight.set(
        id,
        fn(step.value).then(
          (value) => ({ id, ok: true as const, value }),
          (error: unknown) => ({ id, ok: false as const, error }),
        ),
      );
    }
  };
  let failure: { error: unknown } | undefined;
  await fill();
  while (inFlight.size > 0) {
    const settled = await Promise.race(inFlight.values());
    inFlight.delete(settled.id);
    if (!settled.ok) {
      failure ??= { error: settled.error };
      exhausted = true;
      continue;
    }
    if (!failure) {
      yield settled.value;
      await fill();
    }
  }
  if (failure) throw failure.error;
}

/** Like Promise.all over `items.map(fn)`, in input order, with at most `limit` calls in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
