// The tables behind mcp-chat. `drizzle-kit generate` turns changes here into SQL in migrations/.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const participants = sqliteTable(
  "participants",
  {
    /** Public id shown to others as `sender_id`. */
    id: text("id").primaryKey(),
    /** SHA-256 of the secret `client_id`: a stolen file gives no tokens from this table. */
    tokenHash: text("token_hash").notNull().unique(),
    displayName: text("display_name").notNull(),
    createdAt: integer("created_at").notNull(),
    /** The last call, to the few seconds; older than the idle time-out means gone. */
    lastSeenAt: integer("last_seen_at").notNull(),
    /** A unique @handle the participant claimed (lower case), kept with the identity. */
    handle: text("handle"),
    /** A person (mcp-chat say / tail), not an agent: their message resumes a room the loop guard paused. */
    isHuman: integer("is_human", { mode: "boolean" }).notNull().default(false),
    /** While inside a wait: when that wait will have ended at the latest (Unix ms); null otherwise. */
    waitingUntil: integer("waiting_until"),
    /** The room of that wait, or "*" for a wait on all the participant's rooms. */
    waitingIn: text("waiting_in"),
  },
  (t) => [index("participants_last_seen").on(t.lastSeenAt), uniqueIndex("participants_handle").on(t.handle)],
);

export const rooms = sqliteTable("rooms", {
  id: text("id").primaryKey(),
  /** pair: made by the queue; direct: opened by handle (open_direct); group: named, open to anyone. */
  kind: text("kind", { enum: ["pair", "group", "direct"] }).notNull(),
  /** The seq of the newest message; the next message takes lastSeq + 1 (no gaps). */
  lastSeq: integer("last_seq").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  /** Messages from agents since a person last spoke: what the loop guard counts. */
  agentStreak: integer("agent_streak").notNull().default(0),
  /** This room's loop guard (messages in a row from agents), if not the server's --loop-guard; 0 turns it off. */
  loopGuard: integer("loop_guard"),
  /** When the loop guard paused the room (Unix ms); null while it is open. */
  pausedAt: integer("paused_at"),
});

/**
 * WITHOUT ROWID since migration 0004 (drizzle-kit cannot declare it): a room's members sit together
 * in key order, so waking a room rewrites a few pages, not one per member. A generated migration
 * that rebuilds this table must keep the clause.
 */
export const memberships = sqliteTable(
  "memberships",
  {
    roomId: text("room_id")
      .notNull()
      .references(() => rooms.id),
    participantId: text("participant_id")
      .notNull()
      .references(() => participants.id),
    /** The read cursor: the highest seq any call has returned to this member. */
    readSeq: integer("read_seq").notNull().default(0),
    joinedAt: integer("joined_at").notNull(),
    /** Set when the member left; a member who left can no longer read or send. */
    leftAt: integer("left_at"),
  },
  (t) => [primaryKey({ columns: [t.roomId, t.participantId] }), index("memberships_participant").on(t.participantId)],
);

export const messages = sqliteTable(
  "messages",
  {
    roomId: text("room_id")
      .notNull()
      .references(() => rooms.id),
    seq: integer("seq").notNull(),
    /** Null for system messages ("Bob left"). */
    senderId: text("sender_id").references(() => participants.id),
    senderName: text("sender_name").notNull(),
    body: text("body").notNull(),
    clientMsgId: text("client_msg_id"),
    createdAt: integer("created_at").notNull(),
    /** The seq of the message this one answers (send_message's reply_to). */
    replyTo: integer("reply_to"),
    /** The public ids of the members it @mentions, space-separated; null when none. */
    mentions: text("mentions"),
  },
  (t) => [
    primaryKey({ columns: [t.roomId, t.seq] }),
    uniqueIndex("messages_client_msg_id").on(t.roomId, t.senderId, t.clientMsgId).where(sql`${t.clientMsgId} IS NOT NULL`),
    // A reader's own messages after its cursor, counted without a look at anyone else's: what
    // makes `unread` cost the same however far behind the reader is (store.countMessagesFor).
    index("messages_by_sender").on(t.roomId, t.senderId, t.seq),
  ],
);

export const queueEntries = sqliteTable(
  "queue_entries",
  {
    participantId: text("participant_id")
      .primaryKey()
      .references(() => participants.id),
    enqueuedAt: integer("enqueued_at").notNull(),
    /** Matchable until then: kept ahead while the owner is blocked, then a grace period. */
    liveUntil: integer("live_until").notNull(),
    /** Set when someone else's call paired this entry; the owner's next call picks it up. */
    matchedRoomId: text("matched_room_id").references(() => rooms.id),
  },
  (t) => [index("queue_entries_order").on(t.enqueuedAt)],
);

/** Named identities for `--as NAME`: every process started with the name acts as this participant. */
export const localIdentities = sqliteTable("local_identities", {
  name: text("name").primaryKey(),
  participantId: text("participant_id")
    .notNull()
    .references(() => participants.id),
  /** Kept in clear so each process can act as the participant; the file is the user's own. */
  clientId: text("client_id").notNull(),
});

/**
 * Server-sent events kept for resuming a dropped stream (Last-Event-ID); pruned by age. Keyed by
 * the second the event was stored first: new rows go into the newest part of the index, where a
 * key led by the random stream id put each one on a page of its own, at a cost that grew with
 * the table (docs/PERFORMANCE.md).
 */
export const streamEvents = sqliteTable(
  "stream_events",
  {
    /** The second, by the clock, the event was stored in (Unix time): what pruning goes by. */
    second: integer("second").notNull(),
    /** `<session id>.<the SDK's stream id>`: one stream of one HTTP session. */
    streamId: text("stream_id").notNull(),
    /** The event's place among this process's events; it starts at the clock's microseconds. */
    seq: integer("seq").notNull(),
    message: text("message").notNull(),
  },
  (t) => [primaryKey({ columns: [t.second, t.streamId, t.seq] })],
);

/**
 * What a 2025-era HTTP session needs to outlive a restart: its protocol revision and who it
 * speaks for. Keyed by the SHA-256 of the session id, and the client_id sealed with a key made
 * from the session id, so the file alone gives neither away (src/db/http-sessions.ts).
 */
export const httpSessions = sqliteTable("http_sessions", {
  idHash: text("id_hash").primaryKey(),
  protocolVersion: text("protocol_version").notNull(),
  /** AES-256-GCM: nonce, then sealed client_id and tag; null until the session has an identity. */
  sealedClientId: blob("sealed_client_id", { mode: "buffer" }),
  /** Unix ms of the last request: a session idle past the time-out is not restored. */
  lastActive: integer("last_active").notNull(),
});
