// Every query of the chat domain, in one place; the domain composes them. The other SQL of
// src/db/ lives beside its own job: the event store, migrations, the doorbell's data_version.
import { and, asc, count, desc, eq, gt, gte, inArray, isNull, lt, ne, or, sql } from "drizzle-orm";
import { warn } from "../log.ts";
import { Commits } from "./commits.ts";
import type { ChatDb } from "./open.ts";
import { localIdentities, memberships, messages, participants, queueEntries, rooms } from "./schema.ts";
import { isStorageFailure } from "./storage-errors.ts";

export type Participant = typeof participants.$inferSelect;
export type Room = typeof rooms.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type StoredMessage = typeof messages.$inferSelect;
export type QueueEntry = typeof queueEntries.$inferSelect;
/** What a new row needs; the issue 18 columns (handle, loop guard, replies, mentions) start empty. */
export type NewParticipant = Omit<Participant, "handle" | "isHuman" | "waitingUntil" | "waitingIn"> & Partial<Participant>;
export type NewRoom = Pick<Room, "id" | "kind" | "createdAt">;
export type NewMessage = Omit<StoredMessage, "seq" | "replyTo" | "mentions"> & Partial<Pick<StoredMessage, "replyTo" | "mentions">>;
/** A room's member: the participant and their membership, as members() gives them. */
export type Member = Pick<Participant, "id" | "displayName" | "lastSeenAt" | "handle" | "isHuman" | "waitingUntil" | "waitingIn"> &
  Pick<Membership, "leftAt" | "readSeq" | "joinedAt">;

/** A message someone else wrote: not the reader's own, system messages included. */
const fromOthers = (readerId: unknown) => or(isNull(messages.senderId), ne(messages.senderId, readerId as string));
const $ = sql.placeholder;

/**
 * The queries every call runs, prepared once: building a query anew costs Drizzle several times
 * what running a prepared one does (PERFORMANCE.md, "What changed and what it bought", 0e160f4).
 */
function prepareHotQueries(db: ChatDb) {
  const membershipKey = and(eq(memberships.roomId, $("roomId")), eq(memberships.participantId, $("participantId")));
  const othersAfter = and(eq(messages.roomId, $("roomId")), gt(messages.seq, $("afterSeq")), fromOthers($("readerId")));
  return {
    participantByTokenHash: db
      .select()
      .from(participants)
      .where(eq(participants.tokenHash, $("tokenHash")))
      .prepare(),
    participant: db
      .select()
      .from(participants)
      .where(eq(participants.id, $("id")))
      .prepare(),
    touch: db
      .update(participants)
      .set({ lastSeenAt: sql`${$("now")}` })
      .where(eq(participants.id, $("id")))
      .prepare(),
    room: db
      .select()
      .from(rooms)
      .where(eq(rooms.id, $("id")))
      .prepare(),
    // Every send of an agent moves its room's streak: prepared once, not built and prepared per send.
    setRoomGuard: db
      .update(rooms)
      .set({ agentStreak: sql`${$("agentStreak")}`, pausedAt: sql`${$("pausedAt")}` })
      .where(eq(rooms.id, $("roomId")))
      .prepare(),
    membership: db.select().from(memberships).where(membershipKey).prepare(),
    moveReadSeq: db
      .update(memberships)
      .set({ readSeq: sql`${$("to")}` })
      .where(and(membershipKey, eq(memberships.readSeq, $("from"))))
      .returning({ readSeq: memberships.readSeq })
      .prepare(),
    advanceReadSeq: db
      .update(memberships)
      .set({ readSeq: sql`max(${memberships.readSeq}, ${$("seq")})` })
      .where(membershipKey)
      .prepare(),
    // Plain SQL and unordered, like otherRoomsOf: Drizzle's mapping of the join and SQLite's sort
    // of a few rows made this 20 us a call, and every send asks it (its `waiting` list).
    members: db.$client.prepare<Member, [string]>(
      "SELECT p.id, p.display_name AS displayName, p.last_seen_at AS lastSeenAt, p.handle, p.is_human AS isHuman, " +
        "p.waiting_until AS waitingUntil, p.waiting_in AS waitingIn, m.left_at AS leftAt, m.read_seq AS readSeq, m.joined_at AS joinedAt " +
        "FROM memberships m JOIN participants p ON p.id = m.participant_id WHERE m.room_id = ?",
    ),
    // Plain SQL: Drizzle's mapping of the join cost every tool result 14 us, this 3 (withNews).
    // Unordered: an ORDER BY made SQLite sort in a temporary B-tree, 10.9 against 5.1 us a call
    // even for no row; the few rows are put in join order by otherRoomsOf.
    otherRoomsOf: db.$client.prepare<{ roomId: string; participantId: string; readSeq: number; joinedAt: number }, [string, string]>(
      "SELECT room_id AS roomId, participant_id AS participantId, read_seq AS readSeq, joined_at AS joinedAt FROM memberships WHERE participant_id = ? AND left_at IS NULL AND room_id != ?",
    ),
    roomsOf: db
      .select({ roomId: rooms.id, participantId: memberships.participantId, kind: rooms.kind, readSeq: memberships.readSeq })
      .from(memberships)
      .innerJoin(rooms, eq(rooms.id, memberships.roomId))
      .where(and(eq(memberships.participantId, $("participantId")), isNull(memberships.leftAt)))
      .orderBy(asc(memberships.joinedAt))
      .prepare(),
    memberStates: db
      .select({ participantId: memberships.participantId, leftAt: memberships.leftAt })
      .from(memberships)
      .where(eq(memberships.roomId, $("roomId")))
      .prepare(),
    messageByClientMsgId: db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, $("roomId")), eq(messages.senderId, $("senderId")), eq(messages.clientMsgId, $("clientMsgId"))))
      .prepare(),
    bumpSeq: db
      .update(rooms)
      .set({ lastSeq: sql`${rooms.lastSeq} + 1` })
      .where(eq(rooms.id, $("roomId")))
      .returning({ lastSeq: rooms.lastSeq })
      .prepare(),
    insertMessage: db
      .insert(messages)
      .values({
        roomId: $("roomId"),
        seq: $("seq"),
        senderId: $("senderId"),
        senderName: $("senderName"),
        body: $("body"),
        clientMsgId: $("clientMsgId"),
        createdAt: $("createdAt"),
        replyTo: $("replyTo"),
        mentions: $("mentions"),
      })
      .prepare(),
    messageAt: db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, $("roomId")), eq(messages.seq, $("seq"))))
      .prepare(),
    nextMessageFor: db.select().from(messages).where(othersAfter).orderBy(asc(messages.seq)).limit(1).prepare(),
    othersAfter: db.select().from(messages).where(othersAfter).orderBy(asc(messages.seq)).limit($("limit")).prepare(),
    mentionsAfter: db
      .select()
      .from(messages)
      .where(
        and(
          eq(messages.roomId, $("roomId")),
          gt(messages.seq, $("afterSeq")),
          sql`instr(' ' || ${messages.mentions} || ' ', ' ' || ${$("readerId")} || ' ') > 0`,
        ),
      )
      .orderBy(asc(messages.seq))
      .limit($("limit"))
      .prepare(),
    // Each sender once, by their newest message: GROUP BY the sender, newest group first.
    unreadSenders: db
      .select({ name: messages.senderName })
      .from(messages)
      .where(
        and(
          eq(messages.roomId, $("roomId")),
          gt(messages.seq, $("from")),
          sql`${messages.senderId} IS NOT NULL`,
          ne(messages.senderId, $("readerId")),
        ),
      )
      .groupBy(messages.senderId)
      .orderBy(desc(sql`max(${messages.seq})`))
      .limit($("limit"))
      .prepare(),
    // Plain SQL: 10,000 waits that lasted a second are written, and their ends, in one commit each
    // way; Drizzle's mapping of each run cost the wake of 10,000 waiters about 0.3 s of CPU.
    setWaiting: db.$client.prepare<unknown, [number | null, string | null, string]>(
      "UPDATE participants SET waiting_until = ?, waiting_in = ? WHERE id = ?",
    ),
    // Seqs have no gaps (appendMessage): the messages after `afterSeq` number last_seq - afterSeq,
    // and the reader's own among them are found by the messages_by_sender index. Counting the
    // others' directly would visit every message after the cursor, at every wait of a reader
    // catching up: quadratic (issue 19, #8). One statement, so both counts see one snapshot.
    countMessagesFor: db
      .select({
        n: sql<number>`max(0, ${rooms.lastSeq} - ${$("afterSeq")} - (SELECT count(*) FROM ${messages} WHERE ${and(
          eq(messages.roomId, $("roomId")),
          eq(messages.senderId, $("readerId")),
          gt(messages.seq, $("afterSeq")),
        )}))`,
      })
      .from(rooms)
      .where(eq(rooms.id, $("roomId")))
      .prepare(),
  };
}

const byJoinedAt = (a: { joinedAt: number }, b: { joinedAt: number }) => a.joinedAt - b.joinedAt;

/** How many of a room's newest messages unreadSenders looks through for names. */
const UNREAD_SENDERS_SCAN = 200;

/** How many of a reader's own messages nextMessageFor steps over by key before it searches. */
const OWN_MESSAGES_STEPPED = 4;

export class ChatStore {
  private hotQueries: ReturnType<typeof prepareHotQueries> | undefined;
  /**
   * Rows read inside an unsynced commit, by room id and by "<room id> <seq>". That commit holds
   * the write lock, so no other process can add rooms or messages meanwhile: the rooms and
   * messages it reads are read once (a ring's hundred readers want the same ones).
   */
  private frozen: { rooms: Map<string, Room>; messages: Map<string, StoredMessage> } | undefined;
  readonly commits: Commits;
  /**
   * Read cursors the storage refused to move (a full disk, a read-only file), by "<room id>
   * <participant id>": they count here until a later write takes them (writeUnwrittenCursors), so
   * waits go on handing out each message once. Lost if the process dies first: then those
   * messages come again, as any cursor move not yet on disk would.
   */
  private readonly unwrittenCursors = new Map<string, number>();

  constructor(private readonly db: ChatDb) {
    this.commits = new Commits(db.$client, (work) => {
      this.frozen = { rooms: new Map(), messages: new Map() };
      try {
        work();
      } finally {
        this.frozen = undefined;
      }
    });
  }

  /** Prepared at the first call, not at start-up: that takes several ms, and initialize needs none. */
  private get hot(): ReturnType<typeof prepareHotQueries> {
    return (this.hotQueries ??= prepareHotQueries(this.db));
  }

  close(): void {
    this.db.$client.close();
  }

  // participants

  participantByTokenHash(tokenHash: string): Participant | undefined {
    return this.hot.participantByTokenHash.get({ tokenHash });
  }

  participant(id: string): Participant | undefined {
    return this.hot.participant.get({ id });
  }

  insertParticipant(row: NewParticipant): void {
    this.db.insert(participants).values(row).run();
  }

  markHuman(id: string): void {
    this.db.update(participants).set({ isHuman: true }).where(eq(participants.id, id)).run();
  }

  participantByHandle(handle: string): Participant | undefined {
    return this.db.select().from(participants).where(eq(participants.handle, handle)).get();
  }

  setHandle(id: string, handle: string): void {
    this.db.update(participants).set({ handle }).where(eq(participants.id, id)).run();
  }

  /** Who is inside a wait, and where ("*": all their rooms), for each participant id, in one transaction. */
  setWaiting(states: Map<string, { until: number; roomId: string } | null>): void {
    this.db.$client.transaction(() => {
      for (const [id, state] of states) this.hot.setWaiting.run(state?.until ?? null, state?.roomId ?? null, id);
    })();
  }

  renameParticipant(id: string, displayName: string): void {
    this.db.update(participants).set({ displayName }).where(eq(participants.id, id)).run();
  }

  /** Sets last_seen_at for each participant id, in one transaction. */
  touchParticipants(lastSeen: Map<string, number>): void {
    this.db.$client.transaction(() => {
      for (const [id, now] of lastSeen) this.hot.touch.run({ id, now });
    })();
  }

  localIdentity(name: string) {
    return this.db.select().from(localIdentities).where(eq(localIdentities.name, name)).get();
  }

  insertLocalIdentity(row: typeof localIdentities.$inferInsert): void {
    this.db.insert(localIdentities).values(row).run();
  }

  // rooms and memberships

  room(id: string): Room | undefined {
    return readThrough(this.frozen?.rooms, id, () => this.hot.room.get({ id }));
  }

  insertRoom(row: NewRoom): void {
    this.frozen = undefined;
    this.db.insert(rooms).values(row).run();
  }

  /** The loop guard's count and pause of a room. Inside a durable commit. */
  setRoomGuard(roomId: string, state: { agentStreak: number; pausedAt: number | null }): void {
    this.frozen = undefined;
    this.hot.setRoomGuard.run({ roomId, agentStreak: state.agentStreak, pausedAt: state.pausedAt });
  }

  /** A room's own loop guard; null: the server's. */
  setRoomLoopGuard(roomId: string, loopGuard: number | null): void {
    this.frozen = undefined;
    this.db.update(rooms).set({ loopGuard }).where(eq(rooms.id, roomId)).run();
  }

  membership(roomId: string, participantId: string): Membership | undefined {
    return this.withUnwrittenCursor(this.hot.membership.get({ roomId, participantId }));
  }

  private withUnwrittenCursor<Row extends { roomId: string; participantId: string; readSeq: number }>(
    row: Row | undefined,
  ): Row | undefined {
    if (this.unwrittenCursors.size === 0) return row; // the usual case, on the hot path: no key built
    const unwritten = row && this.unwrittenCursors.get(`${row.roomId} ${row.participantId}`);
    return unwritten !== undefined && unwritten > row!.readSeq ? { ...row!, readSeq: unwritten } : row;
  }

  /** Adds the member, or brings back one who left, with the read cursor at `readSeq`. */
  upsertMembership(roomId: string, participantId: string, readSeq: number, now: number): void {
    this.db
      .insert(memberships)
      .values({ roomId, participantId, readSeq, joinedAt: now })
      .onConflictDoUpdate({
        target: [memberships.roomId, memberships.participantId],
        set: { readSeq, joinedAt: now, leftAt: null },
      })
      .run();
  }

  markLeft(roomId: string, participantId: string, now: number): void {
    this.db
      .update(memberships)
      .set({ leftAt: now })
      .where(and(eq(memberships.roomId, roomId), eq(memberships.participantId, participantId)))
      .run();
  }

  /** Moves the read cursor from `from` to `to`; false when another call moved it first. */
  moveReadSeq(roomId: string, participantId: string, from: number, to: number): boolean {
    const key = `${roomId} ${participantId}`;
    const unwritten = this.unwrittenCursors.size === 0 ? undefined : this.unwrittenCursors.get(key);
    if (unwritten !== undefined) {
      // The cursor lives here for now; this process alone can move it (the file takes no writes).
      if (unwritten !== from) return false;
      this.advanceReadSeq(roomId, participantId, to);
      return true;
    }
    try {
      return this.hot.moveReadSeq.all({ roomId, participantId, from, to }).length === 1;
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      // Claimed by this call unless another moved the cursor first, as the UPDATE would have told.
      if (this.hot.membership.get({ roomId, participantId })?.readSeq !== from) return false;
      this.keepUnwritten(key, to, error);
      return true;
    }
  }

  /** Moves the read cursor forward to `seq`; never back. */
  advanceReadSeq(roomId: string, participantId: string, seq: number): void {
    const key = `${roomId} ${participantId}`;
    const unwritten = this.unwrittenCursors.size === 0 ? undefined : this.unwrittenCursors.get(key);
    try {
      this.hot.advanceReadSeq.run({ roomId, participantId, seq: Math.max(seq, unwritten ?? 0) });
      if (unwritten !== undefined) this.unwrittenCursors.delete(key);
    } catch (error) {
      if (!isStorageFailure(error)) throw error;
      this.keepUnwritten(key, seq, error);
    }
  }

  private keepUnwritten(key: string, seq: number, error: unknown): void {
    // The error's own words, not its dump: a full disk would print a page of minified source each time.
    if (this.unwrittenCursors.size === 0) warn(`read cursors cannot be written (${String(error)}); kept in memory until they can`);
    this.unwrittenCursors.set(key, Math.max(seq, this.unwrittenCursors.get(key) ?? 0));
  }

  /** Tries again to write the cursors the storage refused; the ones it still refuses stay kept. */
  writeUnwrittenCursors(): void {
    for (const key of [...this.unwrittenCursors.keys()]) {
      const [roomId, participantId] = key.split(" ") as [string, string];
      this.advanceReadSeq(roomId, participantId, 0);
    }
  }

  /** Everyone who ever joined the room, in the order they joined, with whether they left and when they were last seen. */
  members(roomId: string): Member[] {
    const rows = this.hot.members.all(roomId);
    for (const row of rows) row.isHuman = Boolean(row.isHuman); // SQLite's 0 or 1
    return rows.length > 1 ? rows.sort(byJoinedAt) : rows;
  }

  /**
   * Whether a member other than `participantId` left, or was last seen before `presentSince`.
   * Asked at every empty look of a pair room's wait: the room's memberships, then each other
   * member by key, cost a third of one query joining the two tables (PERFORMANCE.md, "What changed and what it bought", 45f89fd).
   */
  hasGoneMember(roomId: string, participantId: string, presentSince: number): boolean {
    return this.hot.memberStates
      .all({ roomId })
      .some(
        (member) =>
          member.participantId !== participantId &&
          (member.leftAt !== null || (this.participant(member.participantId)?.lastSeenAt ?? 0) < presentSince),
      );
  }

  countPresentMembers(roomId: string): number {
    return this.db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.roomId, roomId), isNull(memberships.leftAt)))
      .get()!.n;
  }

  /** The rooms a participant is in now, with their kind and read cursor. */
  roomsOf(participantId: string) {
    return this.hot.roomsOf.all({ participantId }).map((row) => this.withUnwrittenCursor(row)!);
  }

  /** The rooms a participant is in now but `exceptRoomId`, with the read cursor: every tool result asks (unreadElsewhere). */
  otherRoomsOf(participantId: string, exceptRoomId = ""): { roomId: string; readSeq: number }[] {
    const rows = this.hot.otherRoomsOf.all(participantId, exceptRoomId);
    if (rows.length === 0) return rows;
    if (rows.length > 1) rows.sort(byJoinedAt);
    return rows.map((row) => this.withUnwrittenCursor(row)!);
  }

  // messages

  messageByClientMsgId(roomId: string, senderId: string, clientMsgId: string): StoredMessage | undefined {
    return this.hot.messageByClientMsgId.get({ roomId, senderId, clientMsgId });
  }

  /**
   * Stores a message at the room's next seq. Call inside a durable commit, so the seq is ours alone. Seqs
   * run 1, 2, 3... with no gap (messages are never deleted): nextMessageFor relies on it.
   */
  appendMessage(row: NewMessage): StoredMessage {
    this.frozen = undefined;
    const { lastSeq } = this.hot.bumpSeq.get({ roomId: row.roomId })!;
    const stored = { replyTo: null, mentions: null, ...row, seq: lastSeq };
    this.hot.insertMessage.run(stored);
    return stored;
  }

  /** The oldest message from someone else after `afterSeq`. */
  nextMessageFor(roomId: string, readerId: string, afterSeq: number): StoredMessage | undefined {
    // A room's seqs have no gaps (appendMessage), so it is usually a few seqs on, past the reader's
    // own last messages, and each seq is found by key; a missing seq means nothing follows. The
    // ORDER BY ... LIMIT 1 search costs several times more however near its row is (PERFORMANCE.md,
    // "What changed and what it bought", 98e4d2a), so it only takes over past OWN_MESSAGES_STEPPED
    // of the reader's own.
    for (let seq = afterSeq + 1; seq <= afterSeq + OWN_MESSAGES_STEPPED; seq++) {
      const message = this.messageAt(roomId, seq);
      if (!message || message.senderId !== readerId) return message;
    }
    return this.hot.nextMessageFor.get({ roomId, readerId, afterSeq: afterSeq + OWN_MESSAGES_STEPPED });
  }

  private messageAt(roomId: string, seq: number): StoredMessage | undefined {
    return readThrough(this.frozen?.messages, `${roomId} ${seq}`, () => this.hot.messageAt.get({ roomId, seq }));
  }

  /** The seq of the participant's last message in the room, if any (the messages_by_sender index). */
  lastSeqFrom(roomId: string, senderId: string): number | undefined {
    return (
      this.db
        .select({ seq: sql<number | null>`max(${messages.seq})` })
        .from(messages)
        .where(and(eq(messages.roomId, roomId), eq(messages.senderId, senderId)))
        .get()?.seq ?? undefined
    );
  }

  /** Up to `limit` messages from others after `afterSeq`, oldest first: a batch for one wait. */
  messagesFor(roomId: string, readerId: string, afterSeq: number, limit: number): StoredMessage[] {
    return limit === 1
      ? [this.nextMessageFor(roomId, readerId, afterSeq)].filter((m) => m !== undefined)
      : this.hot.othersAfter.all({ roomId, readerId, afterSeq, limit });
  }

  /**
   * Up to `limit` messages after `afterSeq` that mention `readerId`. Looks through every message
   * after it (an index on mentions would cost every send): a reader far behind pays for the distance.
   */
  mentionsFor(roomId: string, readerId: string, afterSeq: number, limit: number): StoredMessage[] {
    return this.hot.mentionsAfter.all({ roomId, readerId, afterSeq, limit });
  }

  countMessagesFor(roomId: string, readerId: string, afterSeq: number): number {
    // Inside an unsynced commit the room's row is current (no one else can add a message): nothing comes
    // after its last message. Outside, another process may have committed since it was read.
    const frozenRoom = this.frozen?.rooms.get(roomId);
    if (frozenRoom && afterSeq >= frozenRoom.lastSeq) return 0;
    return this.hot.countMessagesFor.get({ roomId, readerId, afterSeq })?.n ?? 0;
  }

  /**
   * The names of up to `limit` others who wrote the unread messages after `afterSeq`, newest
   * first, looking at the newest UNREAD_SENDERS_SCAN of them only: a reader far behind costs no more.
   */
  unreadSenders(roomId: string, readerId: string, afterSeq: number, limit: number): string[] {
    const lastSeq = this.room(roomId)?.lastSeq ?? 0;
    const from = Math.max(afterSeq, lastSeq - UNREAD_SENDERS_SCAN);
    return this.hot.unreadSenders.all({ roomId, readerId, from, limit }).map((row) => row.name);
  }

  /** Up to `limit` messages with afterSeq < seq < beforeSeq: the oldest ones, or the newest. */
  messagePage(roomId: string, range: { afterSeq: number; beforeSeq: number; limit: number; newest: boolean }) {
    const rows = this.db
      .select()
      .from(messages)
      .where(and(eq(messages.roomId, roomId), gt(messages.seq, range.afterSeq), lt(messages.seq, range.beforeSeq)))
      .orderBy(range.newest ? desc(messages.seq) : asc(messages.seq))
      .limit(range.limit + 1)
      .all();
    const hasMore = rows.length > range.limit;
    const page = rows.slice(0, range.limit);
    return { page: range.newest ? page.reverse() : page, hasMore };
  }

  // the matchmaking queue

  queueEntry(participantId: string): QueueEntry | undefined {
    return this.db.select().from(queueEntries).where(eq(queueEntries.participantId, participantId)).get();
  }

  /** The longest-waiting entry other than `participantId` that is live, not matched, its owner seen since `seenSince`. */
  oldestLivePartner(participantId: string, now: number, seenSince: number): QueueEntry | undefined {
    return this.db
      .select({
        participantId: queueEntries.participantId,
        enqueuedAt: queueEntries.enqueuedAt,
        liveUntil: queueEntries.liveUntil,
        matchedRoomId: queueEntries.matchedRoomId,
      })
      .from(queueEntries)
      .innerJoin(participants, eq(participants.id, queueEntries.participantId))
      .where(
        and(
          ne(queueEntries.participantId, participantId),
          gt(queueEntries.liveUntil, now),
          isNull(queueEntries.matchedRoomId),
          gt(participants.lastSeenAt, seenSince),
        ),
      )
      .orderBy(asc(queueEntries.enqueuedAt))
      .limit(1)
      .get();
  }

  /** 1-based place of `entry` among live unmatched entries, and how many there are. */
  queuePlace(entry: QueueEntry, now: number): { position: number; length: number } {
    const live = and(gt(queueEntries.liveUntil, now), isNull(queueEntries.matchedRoomId));
    const length = this.db.select({ n: count() }).from(queueEntries).where(live).get()!.n;
    const ahead = this.db
      .select({ n: count() })
      .from(queueEntries)
      .where(and(live, lt(queueEntries.enqueuedAt, entry.enqueuedAt)))
      .get()!.n;
    return { position: ahead + 1, length: Math.max(length, ahead + 1) };
  }

  upsertQueueEntry(participantId: string, now: number, liveUntil: number): QueueEntry {
    return this.db
      .insert(queueEntries)
      .values({ participantId, enqueuedAt: now, liveUntil, matchedRoomId: null })
      .onConflictDoUpdate({ target: queueEntries.participantId, set: { liveUntil } })
      .returning()
      .get();
  }

  setQueueLiveUntil(participantId: string, liveUntil: number): void {
    this.db.update(queueEntries).set({ liveUntil }).where(eq(queueEntries.participantId, participantId)).run();
  }

  setQueueMatch(participantId: string, roomId: string): void {
    this.db.update(queueEntries).set({ matchedRoomId: roomId }).where(eq(queueEntries.participantId, participantId)).run();
  }

  deleteQueueEntry(participantId: string): void {
    this.db.delete(queueEntries).where(eq(queueEntries.participantId, participantId)).run();
  }

  // presence

  /** Unmatched queue entries whose owners were last seen before `seenBefore`. */
  dropQueueEntriesOfIdle(seenBefore: number): void {
    const idle = this.db.select({ id: participants.id }).from(participants).where(lt(participants.lastSeenAt, seenBefore));
    this.db
      .delete(queueEntries)
      .where(and(isNull(queueEntries.matchedRoomId), inArray(queueEntries.participantId, idle)))
      .run();
  }

  /** Pair rooms with a present member last seen in [from, to): members who just became idle. */
  pairRoomsWithMembersSeenBetween(from: number, to: number): string[] {
    return this.db
      .selectDistinct({ roomId: memberships.roomId })
      .from(memberships)
      .innerJoin(participants, eq(participants.id, memberships.participantId))
      .innerJoin(rooms, eq(rooms.id, memberships.roomId))
      .where(and(isNull(memberships.leftAt), eq(rooms.kind, "pair"), gte(participants.lastSeenAt, from), lt(participants.lastSeenAt, to)))
      .all()
      .map((row) => row.roomId);
  }
}

/** The row `read` returns, kept in `cache` (the rows frozen inside an unsynced commit; none outside it). */
function readThrough<T>(cache: Map<string, T> | undefined, key: string, read: () => T | undefined): T | undefined {
  const known = cache?.get(key);
  if (known) return known;
  const row = read();
  if (row) cache?.set(key, row);
  return row;
}
