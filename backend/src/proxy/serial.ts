// A promise-chain mutex: work queued under the same key runs one at a time,
// in call order, whether the work before it succeeded or failed.
const chains = new Map<string, Promise<unknown>>();

export function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = chains.get(key) ?? Promise.resolve();
  const result = previous.then(work);
  const tail = result.catch(() => undefined);
  chains.set(key, tail);
  // Forget the key once the queue is empty, so the map does not grow.
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return result;
}
