// An in-process server whose database the test can read, for the suites that check a refusal
// changed nothing (fuzz-tools, access-control). The MCP face over the SDK's in-memory transport,
// as in in-process.ts, with short waits so no generated call blocks for long.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming, type Timing } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";
import { createMcpServer } from "../../src/mcp-server.ts";
import { chatTools } from "../../src/tools/index.ts";

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
  const db = openDatabase(":memory:");
  const fullTiming = { ...defaultTiming, defaultWaitSeconds: 0.05, maxWaitSeconds: 0.2, ...timing };
  const chat = new Chat({ store: new ChatStore(db), doorbell: new LocalDoorbell(), timing: fullTiming, limits: defaultLimits });
  const tools = chatTools(defaultLimits, fullTiming);
  const clients: Client[] = [];
  return {
    /** A new client on a session of its own, with the tools listed (so the SDK checks results). */
    async connect(name = "test"): Promise<Client> {
      const client = new Client({ name, version: "1.0.0" });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await createMcpServer(chat, () => tools).connect(serverSide);
      await client.connect(clientSide);
      await client.listTools();
      clients.push(client);
      return client;
    },
    /** The SQLite connection itself, for tests that make the storage fail (PRAGMA max_page_count, query_only). */
    sqlite: db.$client,
    /** The domain, for its housekeeping (sweepPresence), which the server runs on a timer. */
    domain: chat,
    /** The chat's stored state, as one string: equal before and after means nothing changed. */
    state(): string {
      return JSON.stringify(STATE_QUERIES.map((query) => db.$client.query(query).all()));
    },
    async close(): Promise<void> {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      db.$client.close();
    },
  };
}
