/** A client read (readStream, readAll, or our filtered read): a Readable that can cancel its call. */
export interface CancellableRead {
  iterator(options?: { destroyOnReturn?: boolean }): AsyncIterableIterator<unknown>;
  resume(): unknown;
  cancel(): Promise<void>;
}

/**
 * Iterates a client read so that stopping early is safe. Plain `for await` destroys the client's
 * transform on `break`, which leaves the gRPC call paused with unread messages: grpc-js reports a
 * call's status only once its messages are consumed, so the call never finishes and
 * `client.dispose()` waits forever. Stopping here cancels the call and drains what is buffered.
 */
export async function* iterateRead<T>(read: CancellableRead): AsyncGenerator<T> {
  let ended = false;
  try {
    for await (const item of read.iterator({ destroyOnReturn: false })) yield item as T;
    ended = true;
  } finally {
    if (!ended) {
      read.resume();
      await read.cancel().catch(() => undefined);
    }
  }
}
