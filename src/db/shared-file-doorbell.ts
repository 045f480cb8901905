// Waking across processes that share one SQLite file. In-process rings stay instant; a commit
// by another process is noticed through PRAGMA data_version, which changes when any other
// connection commits. It is read only while someone waits here, so an idle process costs nothing.
import type { Database, Statement } from "bun:sqlite";
import { type Doorbell, LocalDoorbell } from "../chat/doorbell.ts";

/** How often to look for other processes' commits while someone waits: the latency it adds on average is half this. */
const POLL_MS = 5;

export class SharedFileDoorbell implements Doorbell {
  private readonly local = new LocalDoorbell();
  private readonly dataVersion: Statement<{ data_version: number }, []>;
  private lastVersion = 0;
  private poller: Timer | undefined;

  constructor(sqlite: Database) {
    this.dataVersion = sqlite.query("PRAGMA data_version");
  }

  listen(topic: string, onRing: () => void): void {
    this.local.listen(topic, onRing);
    this.startPolling();
  }

  unlisten(topic: string, onRing: () => void): void {
    this.local.unlisten(topic, onRing);
    if (this.local.activeTopics === 0) this.stopPolling();
  }

  ring(topic: string): void {
    this.local.ring(topic);
  }

  private startPolling(): void {
    if (this.poller) return;
    // Read before the caller's first check: a commit after this read is seen by the next poll.
    this.lastVersion = this.readVersion();
    this.poller = setInterval(() => {
      const version = this.readVersion();
      if (version === this.lastVersion) return;
      this.lastVersion = version;
      // Which rooms changed is unknown; every waiter re-reads, which is cheap with the indexes.
      this.local.ringAll();
    }, POLL_MS);
  }

  private stopPolling(): void {
    clearInterval(this.poller);
    this.poller = undefined;
  }

  private readVersion(): number {
    return this.dataVersion.get()!.data_version;
  }
}
