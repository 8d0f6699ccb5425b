/**
 * What a stream needs from the connection it writes to (a WebSocket, whatever the protocol).
 * Services stay transport-agnostic: they never see a socket.
 */
export interface Connection {
  /** Bytes handed to the socket but not yet sent. */
  bufferedAmount(): number;
  /**
   * The socket's one budget of unsent bytes, shared by every stream on it (messages, room events,
   * notifications): a consumer past it cannot keep up and is disconnected.
   */
  readonly maxBufferedBytes: number;
  /** Resolves once the unsent bytes fell below `bytes` (or the connection closed). */
  drained(bytes: number): Promise<void>;
  /** Disconnects a consumer that cannot keep up; it resumes from its last seq on reconnect. */
  closeSlowConsumer(): void;
  readonly closed: boolean;
}

/** True (and the consumer is disconnected) when the connection's unsent bytes exceed its budget. */
export function overBudget(connection: Connection | undefined): boolean {
  if (!connection || connection.bufferedAmount() <= connection.maxBufferedBytes) return false;
  connection.closeSlowConsumer();
  return true;
}

/**
 * A bounded queue of ephemeral events (typing, presence, acks, notifications) for one subscriber.
 * These are not replayable from seqs, so a consumer that falls behind is disconnected: when the
 * queue overflows, or when its socket holds more unsent bytes than the connection's budget.
 */
export class EventQueue<T> implements AsyncIterableIterator<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly connection: Connection | undefined,
    /** Events held for a consumer that has not taken them yet. @default 1000 */
    private readonly capacity = 1_000,
  ) {}

  push(item: T): void {
    if (this.done) return;
    if (this.items.length >= this.capacity) {
      this.connection?.closeSlowConsumer();
      void this.return();
      return;
    }
    if (overBudget(this.connection)) {
      void this.return();
      return;
    }
    this.items.push(item);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Runs `cleanup` when the queue ends (at once if it already has). */
  onClose(cleanup: () => void): void {
    if (this.done) cleanup();
    else this.cleanups.push(cleanup);
  }

  async next(): Promise<IteratorResult<T>> {
    while (!this.done) {
      const item = this.items.shift();
      if (item !== undefined) return { value: item, done: false };
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.items = [];
      for (const cleanup of this.cleanups.splice(0)) cleanup();
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    }
    return { value: undefined, done: true };
  }

  async throw(err?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw err;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
