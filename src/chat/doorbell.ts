// The doorbell wakes waiters; it carries no data. The database is the truth: a woken waiter
// re-reads it. Keeping waking behind this interface lets another process or machine ring the
// same bell (a shared SQLite file, PostgreSQL LISTEN/NOTIFY) without the domain knowing.

export interface Doorbell {
  /** Calls onRing each time `topic` rings, until the returned function is called. */
  listen(topic: string, onRing: () => void): () => void;
  /** Wakes everyone listening on `topic`. */
  ring(topic: string): void;
}

export const roomTopic = (roomId: string) => `room:${roomId}`;
export const queueTopic = "queue";

/** One EventTarget per topic, made on the first listener and dropped with the last. */
export class LocalDoorbell implements Doorbell {
  private readonly topics = new Map<string, { target: EventTarget; listeners: number }>();

  listen(topic: string, onRing: () => void): () => void {
    let entry = this.topics.get(topic);
    if (!entry) {
      entry = { target: new EventTarget(), listeners: 0 };
      this.topics.set(topic, entry);
    }
    const current = entry;
    current.target.addEventListener("ring", onRing);
    current.listeners++;
    let listening = true;
    return () => {
      if (!listening) return;
      listening = false;
      current.target.removeEventListener("ring", onRing);
      if (--current.listeners === 0) this.topics.delete(topic);
    };
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
