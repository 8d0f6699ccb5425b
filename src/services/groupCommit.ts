/**
 * Group commit: concurrent submissions are written together, one transaction per batch, and each
 * submitter is answered only once its item is durable. There is no timer: a lone item is flushed
 * on the next turn of the event loop; under load, everything that arrived while one batch was
 * being written forms the next batch. So latency stays low when idle and throughput grows with load.
 */
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (value: O) => void; reject: (err: unknown) => void }> = [];
  private flushing: Promise<void> | undefined;

  constructor(
    /** Writes a batch; the result at index i answers item i (an Error rejects that item alone). */
    private readonly flush: (items: I[]) => Promise<Array<O | Error>>,
    /** Largest batch written in one transaction. @default 256 */
    private readonly maxBatch = 256,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.flushing ??= new Promise<void>((done) => setImmediate(() => void this.drain().finally(done)));
    });
  }

  /** Resolves when everything submitted so far has been written (or has failed). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.flush(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => {
            const result = results[i] as O | Error;
            if (result instanceof Error) entry.reject(result);
            else entry.resolve(result);
          });
        } catch (err) {
          for (const entry of batch) entry.reject(err);
        }
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
