// Matchmaking: two live entries make a private room of two. An entry is live (matchable) only
// while its owner is blocked in enter_queue, kept so by a heartbeat that also works across
// processes, or for a grace period after that call returned: nobody is paired with someone gone.
import type { Chat, WaitRequest } from "./chat.ts";
import { queueTopic } from "./doorbell.ts";
import type { Caller } from "./identity.ts";
import { bestEffort } from "../log.ts";
import { waitFor } from "./wait.ts";

export type QueueResult =
  | { status: "matched"; room_id: string; partner: string; partner_id: string }
  | { status: "waiting"; position: number; queue_length: number };

export async function enterQueue(chat: Chat, caller: Caller, request: WaitRequest): Promise<QueueResult> {
  const me = caller.participant.id;
  const graceMs = chat.timing.queueGraceSeconds * 1000;
  const timeoutMs = chat.waitMs(request);
  const enders = chat.waitEnders(request);
  // Joining (or timing out) queues the caller; a ring only looks for a match, and writes only then.
  const join = () => tryMatch(chat, me, graceMs, true);
  const check = () => tryMatch(chat, me, graceMs, false);

  const immediate = join();
  if (immediate || timeoutMs === 0) return immediate ?? waitingStatus(chat, me)!;

  // While blocked, keep the entry live a grace period ahead; a killed process stops the heartbeat.
  const heartbeat = setInterval(() => bestEffort("queue heartbeat", () => chat.store.setQueueLiveUntil(me, chat.now() + graceMs)), graceMs / 3);
  try {
    const matched = await waitFor(chat.doorbell, queueTopic, check, { timeoutMs, ...enders });
    if (matched) return matched;
  } finally {
    clearInterval(heartbeat);
  }
  if (enders.stopSwitch.stopped || enders.signals.some((signal) => signal.aborted)) {
    // Cancelled, disconnected or shutting down: the caller is not there to be paired. Unmatchable
    // at once, no grace period; the result tells a client that still listens to call again.
    const place = waitingStatus(chat, me) ?? { status: "waiting", position: 1, queue_length: 1 };
    chat.store.setQueueLiveUntil(me, chat.now());
    return place;
  }
  // Timed out: one last look, which also starts the grace period from now.
  return join() ?? waitingStatus(chat, me)!;
}

/**
 * Picks up a match made for us, or pairs us with the longest-waiting live entry, or (when
 * `enqueue`) queues us. Without `enqueue` it first looks without writing: a ring that brings
 * nothing for us then costs two reads, not a commit.
 */
function tryMatch(chat: Chat, me: string, graceMs: number, enqueue: boolean): QueueResult | undefined {
  const { store } = chat;
  if (!enqueue && !store.queueEntry(me)?.matchedRoomId && !store.oldestLivePartner(me, chat.now(), chat.presence.presentSince())) {
    return undefined;
  }
  // News for other blocked calls: a match made for a partner, or a new entry to pair with.
  let news = false;
  const result = store.write((): QueueResult | undefined => {
    const now = chat.now();
    const mine = store.queueEntry(me);
    if (mine?.matchedRoomId) {
      store.deleteQueueEntry(me);
      return matchedResult(chat, mine.matchedRoomId, me);
    }
    const partner = store.oldestLivePartner(me, now, chat.presence.presentSince());
    if (partner) {
      const roomId = chat.openPair(partner.participantId, me, now);
      store.setQueueMatch(partner.participantId, roomId);
      if (mine) store.deleteQueueEntry(me);
      news = true;
      return matchedResult(chat, roomId, me);
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
  if (news) queueMicrotask(() => chat.doorbell.ring(queueTopic));
  return result;
}

function matchedResult(chat: Chat, roomId: string, me: string): QueueResult {
  const partner = chat.store.members(roomId).find((m) => m.id !== me)!;
  return { status: "matched", room_id: roomId, partner: partner.displayName, partner_id: partner.id };
}

function waitingStatus(chat: Chat, me: string): QueueResult | undefined {
  const entry = chat.store.queueEntry(me);
  const now = chat.now();
  if (!entry || entry.matchedRoomId || entry.liveUntil <= now) return undefined;
  const { position, length } = chat.store.queuePlace(entry, now);
  return { status: "waiting", position, queue_length: length };
}

/** The caller's place in the queue for whoami, or null when not queued. */
export function queueStatus(chat: Chat, me: string): QueueResult | null {
  const entry = chat.store.queueEntry(me);
  if (entry?.matchedRoomId) return matchedResult(chat, entry.matchedRoomId, me);
  return waitingStatus(chat, me) ?? null;
}
