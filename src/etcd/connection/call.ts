import type * as grpc from '@grpc/grpc-js';

/** A gRPC unary call as a promise; an empty answer counts as an error, never as undefined. */
export function call<T>(
  start: (callback: grpc.requestCallback<T>) => grpc.ClientUnaryCall,
): Promise<T> {
  return new Promise((resolve, reject) => {
    start((error, value) => {
      if (error !== null) reject(error);
      else if (value === undefined) reject(new Error('etcd sent an empty answer'));
      else resolve(value);
    });
  });
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
