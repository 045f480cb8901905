// The chat domain: rooms, messages, read cursors and waiting. It knows nothing of MCP or HTTP.
import type { Limits, Timing } from "../config.ts";
import type { ChatStore, Membership, Participant, Room, StoredMessage } from "../db/store.ts";
import { chatError } from "../errors.ts";
import { RateLimiter } from "../rate-limit.ts";
import { steadyClock } from "./clock.ts";
import { type Doorbell, readsTopic, roomTopic } from "./doorbell.ts";
import { HANDLE_PATTERN, mentionedHandles, normalHandle } from "./handles.ts";
import { authenticate, type Caller, establish, knownLocalIdentity, localIdentity } from "./identity.ts";
import { guardStep } from "./loop-guard.ts";
import { memberState } from "./member-states.ts";
import { nameProblem } from "./names.ts";
import { Presence } from "./presence.ts";
import { Queue, type QueueResult } from "./queue.ts";
import { type RoomNews, RoomWatch } from "./room-watch.ts";
import { type MemberView, type MessageView, messageView, type UnreadView } from "./views.ts";
import { StopSwitch, type WaitOptions, waitFor } from "./wait.ts";
import { WaitLimit } from "./wait-limit.ts";
import { ALL_ROOMS, WaitRecords } from "./wait-records.ts";

/** What the chat tells whoever counts (the /metrics figures); every member may be left out. */
export interface ChatEvents {
  /** A message was stored, its commit having taken `commitMs`. */
  stored?(commitMs: number): void;
  /** A wait returned a message `ageMs` after it was stored. */
  delivered?(ageMs: number): void;
  /** A call was refused by a rate limit. */
  limited?(what: string): void;
}

export interface ChatDeps {
  store: ChatStore;
  doorbell: Doorbell;
  timing: Timing;
  limits: Limits;
  /** The clock of presence, the queue and the other bookkeeping: steadyClock() unless a test sets one. */
  now?: () => number;
  events?: ChatEvents;
  /** The clock message timestamps show: the system's. */
  wallClock?: () => number;
}

export interface WaitRequest {
  /** Seconds; undefined takes the default, larger values are clamped to the maximum. */
  timeoutSeconds?: number;
  /** Any of them ends the wait early: the request was cancelled or its connection closed. */
  signals?: AbortSignal[];
}

/** Who a call names itself as when it may create or rename its participant: enter_queue, join_room. */
/** The identity a client_id (or none: someone new) and a display name establish. */
export interface NewIdentity {
  clientId: string | undefined;
  displayName: string;
  /** Under access control, the access token's subject: identities do not cross tokens. */
  owner?: string;
  /** Where the call comes from, if it counts: it may make only so many participants. */
  address?: string;
}

export interface EstablishOptions {
  owner?: string;
  address?: string;
  /** The call then waits: a caller with no waiting call to spare is refused before anyone is renamed. */
  toWait?: boolean;
}

/** A message handed to a wait, with the room it is from. */
export type DeliveredMessage = MessageView & { room_id: string };

/** What a wait picks: up to `maxMessages` (default 1), only those that @mention the caller if `mentionsOnly`. */
export interface WaitPick {
  maxMessages?: number;
  mentionsOnly?: boolean;
}

/** `unread`: how many more unread wait in that room; `skipped`: unread messages a mentions_only wait passed over. */
type Delivery =
  | ({ kind: "message"; unread: number; skipped?: number } & DeliveredMessage)
  | { kind: "batch"; messages: DeliveredMessage[]; unread: number; skipped?: number };

export type WaitResult = Delivery | { kind: "timeout"; seq?: number };

/** What a sender learns: who was inside a wait here (woken by it), what it @mentioned. */
export interface SendResult {
  seq: number;
  sent_at: string;
  waiting: { sender: string; sender_id: string }[];
  reply_to?: number;
  mentions?: string[];
}

export class Chat {
  private readonly store: ChatStore;
  private readonly doorbell: Doorbell;
  private readonly timing: Timing;
  private readonly limits: Limits;
  private readonly now: () => number;
  private readonly wallClock: () => number;
  private readonly waits: WaitLimit;
  private readonly presence: Presence;
  private readonly waitRecords: WaitRecords;
  private readonly queue: Queue;
  private readonly stopping = new StopSwitch();
  private readonly rates: Record<"sends" | "joins" | "queueEntries" | "newParticipants", RateLimiter>;
  private readonly events: ChatEvents;

  constructor(deps: ChatDeps) {
    this.events = deps.events ?? {};
    this.store = deps.store;
    this.doorbell = deps.doorbell;
    this.timing = deps.timing;
    this.limits = deps.limits;
    this.now = deps.now ?? steadyClock();
    this.wallClock = deps.wallClock ?? Date.now;
    this.waits = new WaitLimit(deps.limits.maxWaitsPerParticipant);
    this.rates = {
      sends: new RateLimiter(deps.limits.sendsPerMinute, this.now),
      joins: new RateLimiter(deps.limits.joinsPerMinute, this.now),
      queueEntries: new RateLimiter(deps.limits.queueEntriesPerMinute, this.now),
      newParticipants: new RateLimiter(deps.limits.newParticipantsPerMinute, this.now),
    };
    this.presence = new Presence(this.store, this.doorbell, deps.timing.idleTimeoutSeconds * 1000, this.now);
    this.waitRecords = new WaitRecords(this.store, this.now);
    this.queue = new Queue({
      store: this.store,
      doorbell: this.doorbell,
      presence: this.presence,
      now: this.now,
      graceMs: deps.timing.queueGraceSeconds * 1000,
      openPair: (firstId, secondId, now) => this.openPair(firstId, secondId, now),
    });
  }

  /** Calls waiting now in this process, for /health. */
  get waitingCalls(): number {
    return this.waits.total;
  }

  /**
   * Housekeeping to run every `presenceSweepEveryMs`: writes the read cursors a failing disk
   * refused, drops the queue entries of the idle and wakes pair rooms whose partner went idle
   * (see Presence.sweep).
   */
  sweepPresence(): void {
    this.store.writeUnwrittenCursors();
    this.presence.sweep();
  }

  get presenceSweepEveryMs(): number {
    return this.presence.sweepEveryMs;
  }

  // identity

  /**
   * The caller behind a client_id; every call that names its caller counts as being seen. `owner`
   * is the access token's subject under access control: identities do not cross tokens.
   */
  authenticate(clientId: string, owner?: string): Caller {
    const caller = authenticate(this.store, clientId, owner);
    this.presence.touch(caller.participant);
    return caller;
  }

  /**
   * The caller of enter_queue, made anew when there is no client_id. `owner` is the access token's
   * subject (identities do not cross tokens); `address` (where the call comes from, if it counts)
   * is limited in how many participants it makes; `toWait`: the call then waits, so a caller with
   * no waiting call to spare is refused before anyone is renamed.
   */
  establish(clientId: string | undefined, displayName: string, { owner, address, toWait = false }: EstablishOptions = {}): Caller {
    if (clientId === undefined && address !== undefined)
      this.limit(this.rates.newParticipants, address, "new participants from this address");
    if (toWait && clientId !== undefined) this.waits.refuseIfFull(authenticate(this.store, clientId, owner).participant.id);
    const caller = this.store.commits.durable(() => establish(this.store, clientId, displayName, this.now(), owner));
    this.presence.touch(caller.participant);
    return caller;
  }

  /**
   * The named identity of `--as NAME` or the header `X-MCP-Chat-Client: NAME`, shared by every
   * process and request that names it; made on first use. `owner` (the access token's subject)
   * scopes it: two tokens naming the same NAME are two participants. `address` (if it counts) is
   * limited in how many it makes, as for any new participant.
   */
  localIdentity(name: string, { owner, address }: { owner?: string; address?: string } = {}): Caller {
    const problem =
      [...name].length > this.limits.maxNameLength ? `can be at most ${this.limits.maxNameLength} characters` : nameProblem(name);
    if (problem) throw chatError("invalid_client_name", problem);
    // A known name is a read: every request with the header comes here, and only the first writes.
    let caller = knownLocalIdentity(this.store, name, owner);
    if (!caller) {
      if (address !== undefined) this.limit(this.rates.newParticipants, address, "new participants from this address");
      caller = this.store.commits.durable(() => localIdentity(this.store, name, this.now(), owner));
    }
    this.presence.touch(caller.participant);
    return caller;
  }

  /**
   * Marks the caller as a person, not an agent: their messages resume a room the loop guard paused.
   * Only for identities a person holds: mcp-chat say / tail on the local file, or an access token
   * the operator tagged as a person's. Never offered as a tool.
   */
  markHuman(caller: Caller): void {
    if (caller.participant.isHuman) return;
    this.store.commits.durable(() => this.store.markHuman(caller.participant.id));
    caller.participant = { ...caller.participant, isHuman: true };
  }

  /** Takes a token for `key`, or refuses the call with how long to wait. */
  private limit(limiter: RateLimiter, key: string, what: string): void {
    const retryAfter = limiter.take(key);
    if (retryAfter === 0) return;
    this.events.limited?.(what);
    throw chatError("rate_limited", what, limiter.perMinute, retryAfter);
  }

  // waiting budget

  private waitMs(request: WaitRequest): number {
    const seconds = Math.min(request.timeoutSeconds ?? this.timing.defaultWaitSeconds, this.timing.maxWaitSeconds);
    return Math.max(0, seconds) * 1000;
  }

  /** How long a wait lasts, and what ends it early: the request's own signals, or the server stopping. */
  private waitOptions(request: WaitRequest): WaitOptions & { stopSwitch: StopSwitch } {
    return { timeoutMs: this.waitMs(request), signals: request.signals ?? [], stopSwitch: this.stopping };
  }

  /** For shutdown, once the waits have ended: writes the bookkeeping they left for the end of the turn. */
  flushBookkeeping(): void {
    this.presence.flush();
    this.waitRecords.clear();
  }

  /**
   * For shutdown: every wait in progress, and any begun later, returns its time-out result at
   * once (which tells the client to call again) instead of being cut off.
   */
  stopWaiting(): void {
    this.stopping.stop();
  }

  // the queue

  enterQueue(caller: Caller, request: WaitRequest): Promise<QueueResult> {
    this.limit(this.rates.queueEntries, caller.participant.id, "queue entries");
    return this.holdWait(caller, request, () => this.queue.enter(caller.participant.id, this.waitOptions(request)), "queue");
  }

  // rooms

  /**
   * Joins a group room as `who`: a caller, or the identity a client_id and name establish, in the
   * same transaction as the join, so a refused join (room_private, room_full) creates and renames no one.
   */
  joinRoom(who: Caller | NewIdentity, roomId: string): { caller: Caller; room_id: string; members: MemberView[] } {
    if (!("participant" in who) && who.clientId === undefined && who.address !== undefined)
      this.limit(this.rates.newParticipants, who.address, "new participants from this address");
    const { caller, joined } = this.store.commits.durable(() => {
      const now = this.now();
      const caller = "participant" in who ? who : establish(this.store, who.clientId, who.displayName, now, who.owner);
      // Refused here, the transaction undoes the identity's making or renaming too.
      this.limit(this.rates.joins, caller.participant.id, "room joins");
      return { caller, joined: this.addMember(caller.participant, roomId, now) };
    });
    this.presence.touch(caller.participant);
    if (joined) this.wake(roomId);
    return { caller, room_id: roomId, members: this.presentMembers(roomId) };
  }

  /** Adds `me` to the group room (made on first use); false when already a member. Inside a durable commit. */
  private addMember(me: Participant, roomId: string, now: number): boolean {
    let room = this.store.room(roomId);
    // A direct room's id can be worked out from two public ids: made first as a group room, it
    // would let a third person into the pair's conversation. The prefix is kept for open_direct.
    if (!room && roomId.startsWith(DIRECT_PREFIX)) throw chatError("room_private", roomId);
    if (!room) {
      room = { id: roomId, kind: "group", lastSeq: 0, createdAt: now, agentStreak: 0, loopGuard: null, pausedAt: null };
      this.store.insertRoom(room);
    }
    const present = isPresent(this.store.membership(roomId, me.id));
    if (room.kind !== "group" && !present) {
      throw chatError("room_private", roomId);
    }
    if (present) return false;
    if (this.store.countPresentMembers(roomId) >= this.limits.maxGroupMembers) {
      throw chatError("room_full", roomId, this.limits.maxGroupMembers);
    }
    const notice = this.appendSystemMessage(roomId, `${me.displayName} joined`);
    // The cursor starts at the room's end: what was said before is history, not news.
    this.store.upsertMembership(roomId, me.id, notice.seq, now);
    return true;
  }

  leave(caller: Caller, roomId: string): void {
    const me = caller.participant;
    this.store.commits.durable(() => {
      const { room } = this.requireMember(roomId, me.id);
      const now = this.now();
      this.store.markLeft(roomId, me.id, now);
      // In a queue's room of two the partner learns it as partner_left instead.
      if (room.kind !== "pair") this.appendSystemMessage(roomId, `${me.displayName} left`);
    });
    this.wake(roomId);
  }

  /** The members who have not left, each with what they are doing (waiting, active, idle, gone). */
  presentMembers(roomId: string): MemberView[] {
    const now = this.now();
    return this.store
      .members(roomId)
      .filter((m) => m.leftAt === null)
      .map((m) => ({
        sender: m.displayName,
        sender_id: m.id,
        ...(m.handle === null ? {} : { handle: m.handle }),
        state: memberState(
          { ...m, waitingUntil: this.waitRecords.waitingHere(m.id) ? Number.POSITIVE_INFINITY : m.waitingUntil },
          now,
          this.timing.idleTimeoutSeconds * 1000,
        ),
        last_seen: new Date(this.wallClock() - (now - m.lastSeenAt)).toISOString(),
      }));
  }

  /** A room as its member sees it: kind, members and their states, the loop guard. Moves no cursor. */
  roomInfo(caller: Caller, roomId: string) {
    const { room, membership } = this.requireMember(roomId, caller.participant.id);
    const limit = room.loopGuard ?? this.limits.loopGuard;
    return {
      room_id: roomId,
      kind: room.kind,
      members: this.presentMembers(roomId),
      last_seq: room.lastSeq,
      read_seq: membership.readSeq,
      unread: this.store.countMessagesFor(roomId, caller.participant.id, membership.readSeq),
      loop_guard: { limit, agent_messages_in_a_row: room.agentStreak, paused: room.pausedAt !== null },
    };
  }

  /** Sets a room's own loop guard (null: the server's --loop-guard; 0: off). For the operator, never a tool. */
  setRoomLoopGuard(roomId: string, limit: number | null): void {
    this.store.commits.durable(() => {
      if (!this.store.room(roomId)) throw chatError("not_in_room");
      this.store.setRoomLoopGuard(roomId, limit);
    });
  }

  // handles and direct rooms

  /** Claims a unique @handle for the caller (replacing its own earlier one). */
  claimHandle(caller: Caller, wanted: string): { handle: string } {
    const handle = normalHandle(wanted);
    if (!HANDLE_PATTERN.test(handle))
      throw chatError("invalid_input", "claim_handle", "handle must be 2-32 of a-z 0-9 _ -, a letter first");
    this.store.commits.durable(() => {
      const owner = this.store.participantByHandle(handle);
      if (owner && owner.id !== caller.participant.id) throw chatError("handle_taken", handle);
      this.store.setHandle(caller.participant.id, handle);
    });
    caller.participant = { ...caller.participant, handle };
    return { handle };
  }

  /**
   * The private room of the caller and the owner of `handle`, opened on first use: the same room
   * every time (its id is made from the two ids), both members again if one had left.
   */
  async openDirect(caller: Caller, wanted: string): Promise<{ room_id: string; members: MemberView[] }> {
    const handle = normalHandle(wanted);
    const me = caller.participant;
    const roomId = this.store.commits.durable(() => {
      const other = this.store.participantByHandle(handle);
      if (!other) throw chatError("unknown_handle", handle);
      if (other.id === me.id) throw chatError("direct_to_self");
      const now = this.now();
      const roomId = directRoomId(me.id, other.id);
      const room = this.store.room(roomId);
      if (!room) this.store.insertRoom({ id: roomId, kind: "direct", createdAt: now });
      else if (room.kind !== "direct") throw chatError("room_private", roomId); // a group made before the prefix was kept
      for (const id of [me.id, other.id]) {
        if (!isPresent(this.store.membership(roomId, id))) this.store.upsertMembership(roomId, id, this.store.room(roomId)!.lastSeq, now);
      }
      return roomId;
    });
    this.presence.touch(me);
    return { room_id: roomId, members: this.presentMembers(roomId) };
  }

  // messages

  async send(caller: Caller, roomId: string, body: string, clientMsgId?: string, replyTo?: number): Promise<SendResult> {
    const me = caller.participant;
    this.limit(this.rates.sends, me.id, "messages");
    let stored = false;
    const started = performance.now();
    const message = await this.store.commits.durableSoon(() => {
      const { room } = this.requireMember(roomId, me.id);
      // A retry of a send that was stored gets its seq back, even if the partner left since.
      const earlier = clientMsgId === undefined ? undefined : this.store.messageByClientMsgId(roomId, me.id, clientMsgId);
      if (earlier) return earlier;
      if (room.kind === "pair" && this.partnerHasLeft(roomId, me.id)) throw chatError("partner_left");
      if (replyTo !== undefined && (replyTo < 1 || replyTo > room.lastSeq)) throw chatError("unknown_message", replyTo, roomId);
      const now = this.wallClock();
      const guard = guardStep(room, me.isHuman, room.loopGuard ?? this.limits.loopGuard, now);
      if (guard.refused) throw chatError("room_paused", roomId, room.agentStreak);
      stored = true;
      const mentions = this.mentionsIn(roomId, body, me.id);
      const message = this.store.appendMessage({
        roomId,
        senderId: me.id,
        senderName: me.displayName,
        body,
        clientMsgId: clientMsgId ?? null,
        createdAt: now,
        replyTo: replyTo ?? null,
        mentions: mentions.length > 0 ? mentions.join(" ") : null,
      });
      if (guard.state.agentStreak !== room.agentStreak || guard.state.pausedAt !== room.pausedAt)
        this.store.setRoomGuard(roomId, guard.state);
      if (guard.notice === "paused") {
        this.appendSystemMessage(
          roomId,
          `Paused by the loop guard: ${guard.state.agentStreak} messages in a row from agents, none from a person. A person's message resumes the room.`,
        );
      }
      if (guard.notice === "resumed") this.appendSystemMessage(roomId, `Resumed by ${me.displayName}`);
      return message;
    });
    // Ring only after the commit: a woken waiter must find the message.
    if (stored) {
      this.events.stored?.(performance.now() - started);
      this.wake(roomId);
    }
    // Who waits is read now, before the woken waits end.
    const sent = {
      seq: message.seq,
      sent_at: new Date(message.createdAt).toISOString(),
      waiting: this.waitingIn(roomId, me.id),
      ...(message.replyTo === null ? {} : { reply_to: message.replyTo }),
      ...(message.mentions === null ? {} : { mentions: message.mentions.split(" ") }),
    };
    // The waiters it woke answer first: their wake-up is what the product promises to be fast,
    // and the sender's answer can wait one turn of the event loop (PERFORMANCE.md, "What changed").
    // A waiter in another process gains nothing from the turn, and it costs the sender little.
    if (stored && sent.waiting.length > 0) await new Promise((resolve) => setImmediate(resolve));
    return sent;
  }

  /** The ids of the room's present members (not the sender) that `body` @mentions by handle. */
  private mentionsIn(roomId: string, body: string, senderId: string): string[] {
    const handles = body.includes("@") ? mentionedHandles(body) : [];
    if (handles.length === 0) return [];
    return this.store
      .members(roomId)
      .filter((m) => m.leftAt === null && m.id !== senderId && m.handle !== null && handles.includes(m.handle))
      .map((m) => m.id);
  }

  /**
   * The room's other members inside a wait on it (or on all their rooms) now: those a message here
   * wakes. This process's waits from memory; another process's from the database, once a second old.
   */
  private waitingIn(roomId: string, senderId: string) {
    const now = this.now();
    const recorded = (m: { waitingUntil: number | null; waitingIn: string | null }) =>
      m.waitingUntil !== null && m.waitingUntil > now && (m.waitingIn === roomId || m.waitingIn === ALL_ROOMS);
    return this.store
      .members(roomId)
      .filter((m) => m.leftAt === null && m.id !== senderId && (this.waitRecords.waitingHere(m.id, roomId) || recorded(m)))
      .map((m) => ({ sender: m.displayName, sender_id: m.id }));
  }

  /**
   * The oldest unread message from someone else, waiting for one if there is none. Without a room,
   * in any of the caller's rooms (the room whose next message is oldest goes first). `pick` asks for
   * a batch, or for mentions of the caller only (the cursor then moves past what it skips).
   */
  async waitForMessage(
    caller: Caller,
    roomId: string | undefined,
    afterSeq: number | undefined,
    request: WaitRequest,
    pick: WaitPick = {},
  ): Promise<WaitResult> {
    const me = caller.participant;
    const roomIds = roomId === undefined ? this.store.roomsOf(me.id).map((r) => r.roomId) : [roomId];
    if (roomId !== undefined) this.requireMember(roomId, me.id);
    const next = () => this.nextMessages(roomIds, me.id, afterSeq, pick, roomId === undefined);
    const topics = roomIds.map(roomTopic);
    const found = await this.holdWait(
      caller,
      request,
      () => waitFor(this.doorbell, topics, next, this.waitOptions(request)),
      roomId ?? ALL_ROOMS,
    );
    if (!found)
      return { kind: "timeout", ...(roomId === undefined ? {} : { seq: afterSeq ?? this.store.membership(roomId, me.id)?.readSeq ?? 0 }) };
    const delivered = found.kind === "batch" ? found.messages : [found];
    for (const message of delivered) this.events.delivered?.(this.wallClock() - Date.parse(message.timestamp));
    for (const id of new Set(delivered.map((m) => m.room_id))) this.doorbell.ring(readsTopic(id));
    return found;
  }

  /**
   * Waits until every other present member of the room has read the caller's last message there
   * (their read cursors passed it): a receipt. Returns who has read it, also on time-out.
   */
  async waitUntilRead(caller: Caller, roomId: string, request: WaitRequest) {
    const me = caller.participant;
    this.requireMember(roomId, me.id);
    const seq = this.store.lastSeqFrom(roomId, me.id);
    if (seq === undefined) throw chatError("nothing_sent", roomId);
    const readers = () => {
      const others = this.store.members(roomId).filter((m) => m.leftAt === null && m.id !== me.id);
      return { readBy: others.filter((m) => m.readSeq >= seq), everyone: others.every((m) => m.readSeq >= seq) };
    };
    const done = await this.holdWait(
      caller,
      request,
      () =>
        waitFor(
          this.doorbell,
          [readsTopic(roomId), roomTopic(roomId)],
          () => (readers().everyone ? true : undefined),
          this.waitOptions(request),
        ),
      roomId,
    );
    const names = readers().readBy.map((m) => ({ sender: m.displayName, sender_id: m.id }));
    return { read: done === true, seq, read_by: names };
  }

  /** Per message of a page, the other present members whose cursor has passed it (the sender left out). */
  private readersOf(roomId: string, page: StoredMessage[]): Map<number, string[]> {
    const members = this.store.members(roomId).filter((m) => m.leftAt === null);
    return new Map(
      page.map((row) => [row.seq, members.filter((m) => m.id !== row.senderId && m.readSeq >= row.seq).map((m) => m.displayName)]),
    );
  }

  /** A page of history; moves the read cursor over it only when that skips nothing unread. */
  history(caller: Caller, roomId: string, range: { limit: number; beforeSeq?: number; afterSeq?: number }) {
    const me = caller.participant;
    const { membership } = this.requireMember(roomId, me.id);
    const newest = range.afterSeq === undefined;
    const rows = this.store.messagePage(roomId, {
      afterSeq: range.afterSeq ?? 0,
      beforeSeq: range.beforeSeq ?? Number.MAX_SAFE_INTEGER,
      limit: range.limit,
      newest,
    });
    const page = withinPageBudget(rows.page, newest);
    const hasMore = rows.hasMore || page.length < rows.page.length;
    const first = page[0];
    const last = page.at(-1);
    if (first && last) {
      const firstUnread = this.store.nextMessageFor(roomId, me.id, membership.readSeq);
      if (!firstUnread || first.seq <= firstUnread.seq) {
        this.store.advanceReadSeq(roomId, me.id, last.seq);
        this.doorbell.ring(readsTopic(roomId));
      }
    }
    const readers = this.readersOf(roomId, page);
    return { messages: page.map((row) => ({ ...messageView(row, me.id), read_by: readers.get(row.seq)! })), has_more: hasMore };
  }

  whoami(caller: Caller) {
    const me = caller.participant;
    return {
      sender: me.displayName,
      sender_id: me.id,
      ...(me.handle === null ? {} : { handle: me.handle }),
      queue: this.queue.status(me.id),
      rooms: this.store.roomsOf(me.id).map((r) => {
        const unread = this.store.countMessagesFor(r.roomId, me.id, r.readSeq);
        return {
          room_id: r.roomId,
          kind: r.kind,
          members: this.presentMembers(r.roomId),
          unread,
          unread_from: unread > 0 ? this.store.unreadSenders(r.roomId, me.id, r.readSeq, UNREAD_NAMES) : [],
        };
      }),
      waiting_calls: this.waits.count(me.id),
    };
  }

  /**
   * The caller's rooms with unread messages, but `exceptRoomId` (the room the call was about): what
   * every tool result tells, so an agent busy in one room learns of another. Moves no cursor.
   */
  unreadElsewhere(caller: Caller, exceptRoomId?: string): UnreadView[] {
    const me = caller.participant.id;
    const news: UnreadView[] = [];
    for (const r of this.store.otherRoomsOf(me, exceptRoomId)) {
      const unread = this.store.countMessagesFor(r.roomId, me, r.readSeq);
      if (unread > 0) news.push({ room_id: r.roomId, unread, from: this.store.unreadSenders(r.roomId, me, r.readSeq, UNREAD_NAMES) });
    }
    return news;
  }

  /**
   * Runs a wait within the caller's budget; its end counts as a call too (it may have been long).
   * `where` (a room, ALL_ROOMS or "queue") is recorded while it lasts, for others to see.
   */
  private async holdWait<T>(caller: Caller, request: WaitRequest, wait: () => Promise<T>, where: string): Promise<T> {
    const me = caller.participant;
    this.presence.touch(me, this.waitMs(request));
    return await this.waits.hold(me.id, async () => {
      this.waitRecords.began(me.id, where, this.now() + this.waitMs(request));
      try {
        return await wait();
      } finally {
        this.waitRecords.ended(me.id, where);
        this.presence.touch(me);
      }
    });
  }

  /** Opens a private room for two; both cursors start at its (empty) beginning. */
  private openPair(firstId: string, secondId: string, now: number): string {
    const roomId = `pair-${crypto.randomUUID()}`;
    this.store.insertRoom({ id: roomId, kind: "pair", createdAt: now });
    this.store.upsertMembership(roomId, firstId, 0, now);
    this.store.upsertMembership(roomId, secondId, 0, now);
    return roomId;
  }

  /**
   * The next messages (one, or a batch) in the first of `roomIds` that has any, claimed for this
   * call. With several rooms, the room whose next message is oldest; a private room whose partner
   * left is passed over there (a wait on that room alone is told partner_left).
   */
  private nextMessages(
    roomIds: string[],
    readerId: string,
    afterSeq: number | undefined,
    pick: WaitPick,
    anyRoom: boolean,
  ): Delivery | undefined {
    if (roomIds.length === 1) return this.nextInRoom(roomIds[0]!, readerId, afterSeq, pick, anyRoom);
    let first: { roomId: string; at: number } | undefined;
    for (const roomId of roomIds) {
      const membership = this.store.membership(roomId, readerId);
      if (!isPresent(membership)) continue;
      const [row] = pick.mentionsOnly
        ? this.store.mentionsFor(roomId, readerId, membership!.readSeq, 1)
        : this.store.messagesFor(roomId, readerId, membership!.readSeq, 1);
      if (row && (!first || row.createdAt < first.at)) first = { roomId, at: row.createdAt };
    }
    return first && this.nextInRoom(first.roomId, readerId, afterSeq, pick, anyRoom);
  }

  /** The next message(s) of one room after `afterSeq`, or else after the read cursor, claimed for this call. */
  private nextInRoom(
    roomId: string,
    readerId: string,
    afterSeq: number | undefined,
    pick: WaitPick,
    anyRoom: boolean,
  ): Delivery | undefined {
    const membership = this.store.membership(roomId, readerId);
    const room = isPresent(membership) ? this.store.room(roomId) : undefined;
    if (!membership || !room) {
      if (anyRoom) return undefined; // left meanwhile: the other rooms still count
      throw chatError("not_in_room");
    }
    const cursor = afterSeq ?? membership.readSeq;
    const most = pick.maxMessages ?? 1;
    const rows = pick.mentionsOnly
      ? this.store.mentionsFor(roomId, readerId, cursor, most)
      : this.store.messagesFor(roomId, readerId, cursor, most);
    const last = rows.at(-1);
    if (last) {
      if (afterSeq !== undefined) this.store.advanceReadSeq(roomId, readerId, last.seq);
      // Several calls of one participant may wait at once (in this process or another): each
      // message goes to the one that moves the cursor first; the others look again.
      else if (!this.store.moveReadSeq(roomId, readerId, cursor, last.seq))
        return this.nextInRoom(roomId, readerId, undefined, pick, anyRoom);
      const unread = this.store.countMessagesFor(roomId, readerId, last.seq);
      const skipped = pick.mentionsOnly ? this.store.countMessagesFor(roomId, readerId, cursor) - unread - rows.length : 0;
      const views = rows.map((row) => ({ ...messageView(row, readerId), room_id: roomId }));
      const extra = skipped > 0 ? { skipped } : {};
      return pick.maxMessages === undefined
        ? { kind: "message", ...views[0]!, unread, ...extra }
        : { kind: "batch", messages: views, unread, ...extra };
    }
    if (!anyRoom && room.kind === "pair" && this.partnerHasLeft(roomId, readerId)) throw chatError("partner_left");
    return undefined;
  }

  /**
   * Wakes the room's waiters. Each claims its message by moving its cursor, at once, in this
   * turn: they share one transaction, so a room of a hundred costs one commit, not a hundred.
   */
  private wake(roomId: string): void {
    this.store.commits.unsynced(() => this.doorbell.ring(roomTopic(roomId)));
  }

  private requireMember(roomId: string, participantId: string): { room: Room; membership: Membership } {
    const membership = this.store.membership(roomId, participantId);
    const room = isPresent(membership) ? this.store.room(roomId) : undefined;
    if (!membership || !room) throw chatError("not_in_room");
    return { room, membership };
  }

  private partnerHasLeft(roomId: string, participantId: string): boolean {
    return this.store.hasGoneMember(roomId, participantId, this.presence.presentSince());
  }

  private appendSystemMessage(roomId: string, body: string) {
    return this.store.appendMessage({ roomId, senderId: null, senderName: "system", body, clientMsgId: null, createdAt: this.wallClock() });
  }

  /**
   * A watch (not started) of the rooms of the participant behind `clientId`, telling `news` of new
   * messages without moving any cursor: a push channel's wake-ups. Watching is not being seen.
   */
  watchRooms(clientId: string, news: RoomNews): RoomWatch {
    return new RoomWatch(this.store, this.doorbell, authenticate(this.store, clientId).participant.id, news);
  }
}

/** Room ids open_direct keeps for itself: join_room cannot make a group room so named. */
const DIRECT_PREFIX = "dm-";

/** The room of two participants opened by open_direct: the same id whichever of them opens it. */
function directRoomId(a: string, b: string): string {
  const pair = [a, b].sort().join(" ");
  return `${DIRECT_PREFIX}${new Bun.CryptoHasher("sha256").update(pair).digest("hex").slice(0, 32)}`;
}

/** How many senders' names an unread summary names at most. */
const UNREAD_NAMES = 5;

/**
 * What one get_messages page may hold of message text, as JSON: 200 messages of 8,000 NULs once
 * made one answer of 20 MB (each NUL is six characters of JSON, and the result goes out as text and
 * as structuredContent: issue 19, #1). Ordinary messages never come near it.
 */
const HISTORY_PAGE_BUDGET = 256 * 1024;

/** The messages of `page` (oldest first) that fit HISTORY_PAGE_BUDGET, at least one, from the end it pages from. */
function withinPageBudget(page: StoredMessage[], newest: boolean): StoredMessage[] {
  const order = newest ? [...page].reverse() : page;
  let chars = 0;
  let fit = 0;
  for (const message of order) {
    chars += JSON.stringify(message.body).length;
    if (fit > 0 && chars > HISTORY_PAGE_BUDGET) break;
    fit++;
  }
  return newest ? page.slice(page.length - fit) : page.slice(0, fit);
}

const isPresent = (membership: Membership | undefined) => membership !== undefined && membership.leftAt === null;
