/** Letting the event loop run between slices of a long computation, in Node and in browsers. */

/**
 * Resolves on a later turn of the event loop, after pending I/O and messages (signals in Node,
 * `postMessage` in a worker): `setImmediate` in Node; elsewhere a `MessageChannel` message,
 * which, unlike nested `setTimeout(0)`, is not clamped to 4 ms.
 */
export function nextTurn(): Promise<void> {
  const g = globalThis as unknown as {
    setImmediate?: (callback: () => void) => unknown;
    MessageChannel?: new () => {
      port1: { onmessage: (() => void) | null; close(): void };
      port2: { postMessage(message: unknown): void; close(): void };
    };
  };
  return new Promise<void>((resolve) => {
    if (typeof g.setImmediate === 'function') {
      g.setImmediate(resolve);
    } else if (g.MessageChannel !== undefined) {
      const channel = new g.MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        channel.port2.close();
        resolve();
      };
      channel.port2.postMessage(null);
    } else {
      setTimeout(resolve, 0);
    }
  });
}
