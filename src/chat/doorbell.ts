// The doorbell wakes waiters; it carries no data. The database is the truth: a woken waiter
// re-reads it. Keeping waking behind this interface lets another process or machine ring the
// same bell (a shared SQLite file, PostgreSQL LISTEN/NOTIFY) without the domain knowing.

/**
 * Listen and unlisten in pairs, as with addEventListener, rather than listen returning a function
 * that stops: 10,000 held waits would each keep that closure and its scope.
 */
export interface Doorbell {
  /** Calls onRing each time `topic` rings, until unlisten with the same two arguments. */
  listen(topic: string, onRing: () => void): void;
  /** Ends one listen; call it once for each. */
  unlisten(topic: string, onRing: () => void): void;
  /** Wakes everyone listening on `topic`. */
  ring(topic: string): void;
}

export const roomTopic = (roomId: string) => `room:${roomId}`;
export const queueTopic = "queue";
/** Rings when a member's read cursor moved: what a wait for a receipt (until "read") listens to. */
export const readsTopic = (roomId: string) => `reads:${roomId}`;

/** One EventTarget per topic, made on the first listener and dropped with the last. */
export class LocalDoorbell implements Doorbell {
  private readonly topics = new Map<string, { target: EventTarget; listeners: number }>();

  listen(topic: string, onRing: () => void): void {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { target: new EventTarget(), listeners: 0 };
      this.topics.set(topic, entry);
    }
    entry.target.addEventListener("ring", onRing);
    entry.listeners++;
  }

  unlisten(topic: string, onRing: () => void): void {
    const entry = this.topics.get(topic);
    if (!entry) return;
    entry.target.removeEventListener("ring", onRing);
    if (--entry.listeners === 0) this.topics.delete(topic);
  }

  ring(topic: string): void {
    this.topics.get(topic)?.target.dispatchEvent(new Event("ring"));
  }

  /** Wakes every listener: for news that may concern any topic, such as another process's commit. */
  ringAll(): void {
    for (const { target } of this.topics.values()) target.dispatchEvent(new Event("ring"));
  }

  /** How many topics have listeners; an idle server has none. */
  get activeTopics(): number {
    return this.topics.size;
  }
}
