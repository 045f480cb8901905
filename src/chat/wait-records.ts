// Who is inside a wait, and where: what members' state "waiting" and send_message's `waiting` tell.
// This process knows its own waits at once, from memory. Other processes on the file learn of a wait
// from the database, once it has lasted a second: most waits in a busy conversation end sooner, and
// writing each one's start and end would add a commit to every turn of the hot path.

import { Batcher } from "../batcher.ts";
import { bestEffort } from "../log.ts";

/** A wait on all of a participant's rooms, as recorded. */
export const ALL_ROOMS = "*";

interface LocalWaits {
  /** Where the participant's waits are (a room, ALL_ROOMS, "queue"), each with how many. */
  where: Map<string, number>;
  /** When the newest began, and when it ends at the latest. */
  since: number;
  until: number;
  /** Whether the database has it (so its end must be written too). */
  written: boolean;
}

export interface WaitStore {
  /** Who waits where until when (null: waits no more), in one transaction. */
  setWaiting(states: Map<string, { until: number; roomId: string } | null>): void;
}

export class WaitRecords {
  private readonly waits = new Map<string, LocalWaits>();
  /** Participants whose wait is not written yet, oldest first: writeLasting looks at these alone. */
  private unwritten: string[] = [];
  private timer: Timer | undefined;
  /**
   * Written waits that ended this turn, written together at its end: a message to 10,000 waiters
   * ends 10,000 waits at once, and one commit each held up the send's answer by a second.
   */
  private readonly ends = new Batcher<string>({
    delayMs: 0,
    flush: (ids) => bestEffort("recording waits", () => this.store.setWaiting(new Map(ids.map((id) => [id, null])))),
  });

  constructor(
    private readonly store: WaitStore,
    private readonly now: () => number,
    /** How long a wait lasts before other processes are told of it (and how often that is looked at). */
    private readonly writeAfterMs = 1000,
  ) {}

  began(participantId: string, where: string, until: number): void {
    const known = this.waits.get(participantId);
    const waits = known ?? { where: new Map(), since: 0, until: 0, written: false };
    waits.where.set(where, (waits.where.get(where) ?? 0) + 1);
    waits.since = this.now();
    waits.until = Math.max(waits.until, until);
    if (!known) this.waits.set(participantId, waits);
    if (!waits.written) this.unwritten.push(participantId);
    this.timer ??= setInterval(() => this.writeLasting(), this.writeAfterMs);
    this.timer.unref?.();
  }

  ended(participantId: string, where: string): void {
    const waits = this.waits.get(participantId);
    if (!waits) return;
    const left = (waits.where.get(where) ?? 1) - 1;
    if (left > 0) waits.where.set(where, left);
    else waits.where.delete(where);
    if (waits.where.size > 0) return;
    this.waits.delete(participantId);
    if (waits.written) this.ends.add(participantId);
    if (this.waits.size === 0) this.stopTimer();
  }

  /** Whether the participant is inside a wait in this process: anywhere, or (given) on that room or on all. */
  waitingHere(participantId: string, roomId?: string): boolean {
    const where = this.waits.get(participantId)?.where;
    if (!where) return false;
    return roomId === undefined || where.has(roomId) || where.has(ALL_ROOMS);
  }

  /** Writes the waits that have lasted long enough and are not written yet, in one transaction. */
  writeLasting(): void {
    const due = this.now() - this.writeAfterMs;
    const states = new Map<string, { until: number; roomId: string }>();
    let next = 0;
    for (; next < this.unwritten.length; next++) {
      const id = this.unwritten[next]!;
      const waits = this.waits.get(id);
      if (!waits || waits.written) continue; // ended, or listed twice
      if (waits.since > due) break; // this one and the later ones are too young
      // One place per participant in the database: all rooms if any wait is on all, else the newest's.
      const roomId = waits.where.has(ALL_ROOMS) ? ALL_ROOMS : [...waits.where.keys()].at(-1)!;
      states.set(id, { until: waits.until, roomId });
    }
    bestEffort("recording waits", () => {
      if (states.size > 0) this.store.setWaiting(states);
      for (const id of states.keys()) this.waits.get(id)!.written = true;
      // Only once written: a write the storage refused is tried again at the next look.
      this.unwritten = this.unwritten.slice(next);
    });
  }

  /** For shutdown: the waits this process wrote end with it, now, before the database closes. */
  clear(): void {
    for (const [id, waits] of this.waits) if (waits.written) this.ends.add(id);
    this.waits.clear();
    this.unwritten = [];
    this.stopTimer();
    bestEffort("recording waits", () => this.ends.flushNow());
  }

  private stopTimer(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
