// 2025-era HTTP sessions kept in the database, so that a restart (an upgrade, a crash) does not
// strand the clients holding them: after it, a request with a known session id is served as before.
import { eq, inArray, lt } from "drizzle-orm";
import type { ChatDb } from "./open.ts";
import { httpSessions } from "./schema.ts";

/** What a restored session starts with. */
export interface SessionRecord {
  protocolVersion: string;
  /** The identity the session had taken, if any. */
  clientId?: string;
}

const encoder = new TextEncoder();
const NONCE_BYTES = 12;

/**
 * The row's key: the session id itself would let anyone who reads the file use the session. Under
 * access control the owner (the access token's subject) is hashed in: no other token finds the row.
 */
const idHashOf = (sessionId: string, owner: string | undefined) =>
  new Bun.CryptoHasher("sha256").update(owner === undefined ? sessionId : `${owner}\0${sessionId}`).digest("hex");

/** The key that seals the session's client_id: only a holder of the session id can make it. */
const keyOf = (sessionId: string) => {
  const material = new Uint8Array(new Bun.CryptoHasher("sha256").update(`mcp-chat session key\0${sessionId}`).digest());
  return crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
};

export class SessionRecords {
  constructor(private readonly db: ChatDb) {}

  /** A new session, at its initialize. */
  add(sessionId: string, owner: string | undefined, protocolVersion: string, now = Date.now()): void {
    this.db
      .insert(httpSessions)
      .values({ idHash: idHashOf(sessionId, owner), protocolVersion, lastActive: now })
      .onConflictDoNothing()
      .run();
  }

  /** The identity the session took (enter_queue, join_room). */
  async setClientId(sessionId: string, owner: string | undefined, clientId: string): Promise<void> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce }, await keyOf(sessionId), encoder.encode(clientId));
    const sealedClientId = Buffer.concat([nonce, new Uint8Array(sealed)]);
    this.db
      .update(httpSessions)
      .set({ sealedClientId })
      .where(eq(httpSessions.idHash, idHashOf(sessionId, owner)))
      .run();
  }

  /** The sessions that answered requests lately are not idle: one write for all of them. */
  touch(sessions: [id: string, owner: string | undefined][], now = Date.now()): void {
    if (sessions.length === 0) return;
    this.db
      .update(httpSessions)
      .set({ lastActive: now })
      .where(
        inArray(
          httpSessions.idHash,
          sessions.map(([id, owner]) => idHashOf(id, owner)),
        ),
      )
      .run();
  }

  /** The session, unless it is unknown or was idle since before `activeSince`. */
  async find(sessionId: string, owner: string | undefined, activeSince: number): Promise<SessionRecord | undefined> {
    const row = this.db
      .select()
      .from(httpSessions)
      .where(eq(httpSessions.idHash, idHashOf(sessionId, owner)))
      .get();
    if (!row || row.lastActive < activeSince) return undefined;
    if (!row.sealedClientId) return { protocolVersion: row.protocolVersion };
    try {
      const sealed = new Uint8Array(row.sealedClientId);
      const clientId = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.subarray(0, NONCE_BYTES) },
        await keyOf(sessionId),
        sealed.subarray(NONCE_BYTES),
      );
      return { protocolVersion: row.protocolVersion, clientId: new TextDecoder().decode(clientId) };
    } catch {
      return { protocolVersion: row.protocolVersion };
    }
  }

  forget(sessionId: string, owner: string | undefined): void {
    this.db
      .delete(httpSessions)
      .where(eq(httpSessions.idHash, idHashOf(sessionId, owner)))
      .run();
  }

  /** Drops the sessions idle since before `activeSince`. */
  prune(activeSince: number): void {
    this.db.delete(httpSessions).where(lt(httpSessions.lastActive, activeSince)).run();
  }
}
