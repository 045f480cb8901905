// Presence: a participant who made no call for the idle time-out counts as gone. Only their
// queue entry is dropped: their next call brings them back to every room that is still open.

import { Batcher } from "../batcher.ts";
import type { ChatStore, Participant } from "../db/store.ts";
import { bestEffort } from "../log.ts";
import { type Doorbell, queueTopic, roomTopic } from "./doorbell.ts";

export class Presence {
  private lastSweep: number;
  /**
   * Writing last_seen_at on every call would cost a write each (10,000 agents in a wait loop wrote
   * 2,000 rows a second at 5 s); a twentieth of the idle time-out, at most 30 s, is plenty.
   */
  private readonly touchEveryMs: number;
  /** Touches of this turn of the event loop, written together at its end: [participant id, time]. */
  private readonly unwritten = new Batcher<[string, number]>({
    delayMs: 0,
    flush: (touches) => bestEffort("recording calls", () => this.store.touchParticipants(new Map(touches))),
  });

  constructor(
    private readonly store: ChatStore,
    private readonly doorbell: Doorbell,
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {
    this.lastSweep = now();
    this.touchEveryMs = Math.min(30_000, idleMs / 20);
  }

  /** Seen after this moment means present. */
  presentSince(): number {
    return this.now() - this.idleMs;
  }

  /**
   * Records a call. `stayPresentMs`: the call may last that long (a wait), and its caller must
   * not count as gone before it ends, however coarsely last_seen_at is kept. Bookkeeping only:
   * the write waits for the end of the turn, when every touch of the turn shares one commit (a
   * message to a hundred waiters ends a hundred waits at once), and a failed write is logged,
   * never turned into the call's error (nor a delivered message's).
   */
  touch(participant: Participant, stayPresentMs = 0): void {
    const now = this.now();
    const fresh = now - participant.lastSeenAt < this.touchEveryMs;
    const lastsTheCall = participant.lastSeenAt + this.idleMs > now + stayPresentMs;
    if (fresh && lastsTheCall) return;
    participant.lastSeenAt = now;
    this.unwritten.add([participant.id, now]);
  }

  /** Writes this turn's touches now: before the database closes, a stopping process's last ones. */
  flush(): void {
    this.unwritten.flushNow();
  }

  /**
   * Run every so often: drops the queue entries of the idle, and wakes the waiters of pair
   * rooms whose other member became idle since the last sweep, so they learn partner_left.
   */
  sweep(): void {
    const now = this.now();
    const from = this.lastSweep - this.idleMs;
    const to = now - this.idleMs;
    this.lastSweep = now;
    this.store.dropQueueEntriesOfIdle(to);
    for (const roomId of this.store.pairRoomsWithMembersSeenBetween(from, to)) this.doorbell.ring(roomTopic(roomId));
    this.doorbell.ring(queueTopic);
  }

  /** How often to sweep: often enough that partner_left comes soon after the idle time-out. */
  get sweepEveryMs(): number {
    return Math.min(30_000, this.idleMs / 4);
  }
}
