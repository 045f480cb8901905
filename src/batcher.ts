// Collects work for one later commit: the sends, presence touches and stream events of a moment
// share a transaction (and an fsync, for sends) instead of paying one each.

export interface BatcherOptions<Item> {
  /** Stores one batch: every item added since the last flush, in order. */
  flush: (items: Item[]) => void;
  /** How long the first item waits for others: 0 is the end of this turn of the event loop. */
  delayMs: number;
  /**
   * After a scheduled flush fails (a locked or full database), its items are kept and tried again
   * after `firstMs`, doubling up to `maxMs`; `failed` is told each time. Without it, `flush` must
   * not throw.
   */
  retry?: { firstMs: number; maxMs: number; failed: (error: unknown, nextTryMs: number) => void };
}

export class Batcher<Item> {
  private items: Item[] = [];
  private scheduled = false;
  private retryMs: number;

  constructor(private readonly options: BatcherOptions<Item>) {
    this.retryMs = options.retry?.firstMs ?? 0;
  }

  get pending(): number {
    return this.items.length;
  }

  add(item: Item): void {
    this.items.push(item);
    this.schedule(this.options.delayMs);
  }

  /** Takes the oldest pending item away unflushed: for a store that must shed what it cannot write. */
  dropOldest(): Item | undefined {
    return this.items.shift();
  }

  /** Flushes what is pending now. A failed flush keeps its items (ahead of newer ones) and throws. */
  flushNow(): void {
    if (this.items.length === 0) return;
    const batch = this.items;
    this.items = [];
    try {
      this.options.flush(batch);
    } catch (error) {
      this.items = batch.concat(this.items);
      throw error;
    }
  }

  /** Unref'd timers: a stopping process flushes for itself. */
  private schedule(delayMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (delayMs === 0) setImmediate(() => this.flushScheduled());
    else setTimeout(() => this.flushScheduled(), delayMs).unref();
  }

  private flushScheduled(): void {
    this.scheduled = false;
    const { retry } = this.options;
    if (!retry) return this.flushNow();
    try {
      this.flushNow();
      this.retryMs = retry.firstMs;
    } catch (error) {
      retry.failed(error, this.retryMs);
      this.schedule(this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, retry.maxMs);
    }
  }
}
