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
  // Settled calls wait in a queue for the consumer; a call counts against `limit` until its result is
  // taken, so a slow consumer holds at most `limit` results. One waiter is woken per settlement: a
  // sweep of 10,000 runs costs one reaction per call rather than one per call in flight (as a race would).
  const settled: ({ ok: true; value: R } | { ok: false; error: unknown })[] = [];
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settle = (outcome: { ok: true; value: R } | { ok: false; error: unknown }) => {
    settled.push(outcome);
    wake?.();
    wake = undefined;
  };
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && inFlight < limit) {
      const step = await iterator.next();
      if (step.done) {
        exhausted = true;
        return;
      }
      inFlight += 1;
      fn(step.value).then(
        (value) => settle({ ok: true, value }),
        (error: unknown) => settle({ ok: false, error }),
      );
    }
  };
  let failure: { error: unknown } | undefined;
  await fill();
  while (inFlight > 0) {
    const outcome = settled.shift();
    if (!outcome) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    inFlight -= 1;
    if (!outcome.ok) {
      failure ??= { error: outcome.error };
      exhausted = true;
      continue;
    }
    if (!failure) {
      yield outcome.value;
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
