// An in-process server whose database the test can read, for the suites that check a refusal
// changed nothing (fuzz-tools, access-control): in-process.ts's, with short waits so no generated
// call blocks for long.
import type { Timing } from "../../src/config.ts";
import { connectingTo, newChatParts } from "./in-process.ts";

/** Every table of the chat, by what a refusal must leave as it was. */
const STATE_QUERIES = [
  "SELECT id, token_hash, display_name, created_at FROM participants ORDER BY id", // last_seen_at: any call touches it
  "SELECT * FROM rooms ORDER BY id",
  "SELECT * FROM memberships ORDER BY room_id, participant_id",
  "SELECT * FROM messages ORDER BY room_id, seq",
  "SELECT * FROM queue_entries ORDER BY participant_id",
  "SELECT * FROM local_identities ORDER BY name",
];

export function startWatchedChat(timing: Partial<Timing> = {}) {
  const parts = newChatParts({ timing: { defaultWaitSeconds: 0.05, maxWaitSeconds: 0.2, ...timing } });
  const { db, chat } = parts;
  const server = connectingTo(parts);
  return {
    /** A new client on a session of its own, with the tools listed (so the SDK checks results). */
    connect: server.connect,
    /** The SQLite connection itself, for tests that make the storage fail (PRAGMA max_page_count, query_only). */
    sqlite: db.$client,
    /** The domain, for its housekeeping (sweepPresence), which the server runs on a timer. */
    domain: chat,
    /** The chat's stored state, as one string: equal before and after means nothing changed. */
    state(): string {
      return JSON.stringify(STATE_QUERIES.map((query) => db.$client.query(query).all()));
    },
    async close(): Promise<void> {
      await server.close();
      db.$client.close();
    },
  };
}
