/** How long synchronous work may run before it lets timers (Kafka heartbeats) fire. */
const SLICE_MS = 20;

/** Resolves on the next turn of the event loop, after pending I/O and timers. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Maps items with a synchronous function, yielding to the event loop every
 * few milliseconds: counting tokens of a very long conversation must not
 * stop the consumer from heartbeating.
 */
export async function mapYielding<T, R>(
  items: T[],
  map: (item: T, index: number) => R,
): Promise<R[]> {
  const results: R[] = [];
  let sliceStart = performance.now();
  for (let index = 0; index < items.length; index++) {
    results.push(map(items[index]!, index));
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
  }
  return results;
}
