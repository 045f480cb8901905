// Matchmaking: two live entries make a private room of two. An entry is live (matchable) only
// while its owner is blocked in enter_queue, kept so by a heartbeat that also works across
// processes, or for a grace period after that call returned: nobody is paired with someone gone.
import type { ChatStore } from "../db/store.ts";
import { bestEffort } from "../log.ts";
import { type Doorbell, queueTopic } from "./doorbell.ts";
import type { Presence } from "./presence.ts";
import { type StopSwitch, type WaitOptions, waitFor } from "./wait.ts";

export type QueueResult =
  | { status: "matched"; room_id: string; partner: string; partner_id: string }
  | { status: "waiting"; position: number; queue_length: number };

export interface QueueDeps {
  store: ChatStore;
  doorbell: Doorbell;
  presence: Presence;
  now: () => number;
  /** How long an entry stays matchable after its enter_queue call returned. */
  graceMs: number;
  /** Opens the private room of a new pair, inside the matching transaction; returns its id. */
  openPair: (firstId: string, secondId: string, now: number) => string;
}

export class Queue {
  constructor(private readonly deps: QueueDeps) {}

  /** Pairs `me` with the longest-waiting live entry, waiting (within `wait`) for one to come. */
  async enter(me: string, wait: WaitOptions & { stopSwitch: StopSwitch }): Promise<QueueResult> {
    const { store, doorbell, now, graceMs } = this.deps;
    // Joining (or timing out) queues the caller; a ring only looks for a match, and writes only then.
    const join = () => this.tryMatch(me, true);
    const check = () => this.tryMatch(me, false);

    const immediate = join();
    if (immediate || wait.timeoutMs === 0) return immediate ?? this.waitingStatus(me)!;

    // While blocked, keep the entry live a grace period ahead; a killed process stops the heartbeat.
    const heartbeat = setInterval(() => bestEffort("queue heartbeat", () => store.setQueueLiveUntil(me, now() + graceMs)), graceMs / 3);
    try {
      const matched = await waitFor(doorbell, queueTopic, check, wait);
      if (matched) return matched;
    } finally {
      clearInterval(heartbeat);
    }
    if (wait.stopSwitch.stopped || wait.signals.some((signal) => signal.aborted)) {
      // Cancelled, disconnected or shutting down: the caller is not there to be paired. Unmatchable
      // at once, no grace period; the result tells a client that still listens to call again.
      const place = this.waitingStatus(me) ?? { status: "waiting", position: 1, queue_length: 1 };
      store.setQueueLiveUntil(me, now());
      return place;
    }
    // Timed out: one last look, which also starts the grace period from now.
    return join() ?? this.waitingStatus(me)!;
  }

  /** The caller's place in the queue for whoami, or null when not queued. */
  status(me: string): QueueResult | null {
    const entry = this.deps.store.queueEntry(me);
    if (entry?.matchedRoomId) return this.matchedResult(entry.matchedRoomId, me);
    return this.waitingStatus(me) ?? null;
  }

  /**
   * Picks up a match made for us, or pairs us with the longest-waiting live entry, or (when
   * `enqueue`) queues us. Without `enqueue` it first looks without writing: a ring that brings
   * nothing for us then costs two reads, not a commit.
   */
  private tryMatch(me: string, enqueue: boolean): QueueResult | undefined {
    const { store, doorbell, presence, graceMs } = this.deps;
    if (!enqueue && !store.queueEntry(me)?.matchedRoomId && !store.oldestLivePartner(me, this.deps.now(), presence.presentSince())) {
      return undefined;
    }
    // News for other blocked calls: a match made for a partner, or a new entry to pair with.
    let news = false;
    const result = store.commits.durable((): QueueResult | undefined => {
      const now = this.deps.now();
      const mine = store.queueEntry(me);
      if (mine?.matchedRoomId) {
        store.deleteQueueEntry(me);
        return this.matchedResult(mine.matchedRoomId, me);
      }
      const partner = store.oldestLivePartner(me, now, presence.presentSince());
      if (partner) {
        const roomId = this.deps.openPair(partner.participantId, me, now);
        store.setQueueMatch(partner.participantId, roomId);
        if (mine) store.deleteQueueEntry(me);
        news = true;
        return this.matchedResult(roomId, me);
      }
      if (!enqueue) return undefined;
      // An entry that lapsed lost its place; a live one keeps it.
      if (mine && mine.liveUntil <= now) store.deleteQueueEntry(me);
      store.upsertQueueEntry(me, now, now + graceMs);
      // Whoever waits without a live entry may pair with it: the second of two blocked calls of
      // one participant, whose entry the first took away with the match it picked up.
      news = true;
      return undefined;
    });
    // Wake the other blocked enter_queue calls, after the commit, and after our own call has stopped
    // listening (or before it starts): ringing now would run our own check again for nothing.
    if (news) queueMicrotask(() => doorbell.ring(queueTopic));
    return result;
  }

  private matchedResult(roomId: string, me: string): QueueResult {
    const partner = this.deps.store.members(roomId).find((m) => m.id !== me)!;
    return { status: "matched", room_id: roomId, partner: partner.displayName, partner_id: partner.id };
  }

  private waitingStatus(me: string): QueueResult | undefined {
    const { store } = this.deps;
    const entry = store.queueEntry(me);
    const now = this.deps.now();
    if (!entry || entry.matchedRoomId || entry.liveUntil <= now) return undefined;
    const { position, length } = store.queuePlace(entry, now);
    return { status: "waiting", position, queue_length: length };
  }
}
