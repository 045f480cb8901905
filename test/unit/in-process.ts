// The server in process, for tests that need no binary: the MCP face (one SDK server per client,
// joined to the SDK's real Client by its in-memory transport), or the whole HTTP layer on a free
// port with short intervals. Both over a real Chat on :memory: SQLite.
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming, type Intervals, type Limits, type Timing } from "../../src/config.ts";
import { SqliteEventStore } from "../../src/db/event-store.ts";
import { SessionRecords } from "../../src/db/http-sessions.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";
import { type HttpServerOptions, httpRoutes, serveHttp } from "../../src/http/serve.ts";
import { createMcpServer } from "../../src/mcp-server.ts";
import { chatTools } from "../../src/tools/index.ts";

export interface InProcessServer {
  /**
   * A new client (the SDK's v2 client, on the 2025 handshake) with a session of its own, connected
   * and with the tools listed (so the SDK checks results).
   */
  connect(name?: string): Promise<Client>;
  /** Closes every client connected so far. */
  close(): Promise<void>;
}

/** A chat on a fresh :memory: database, with its tools and what the HTTP layer needs of it. */
export function newChatParts(options: { timing?: Partial<Timing>; limits?: Partial<Limits> } = {}) {
  const timing = { ...defaultTiming, ...options.timing };
  const limits = { ...defaultLimits, ...options.limits };
  const db = openDatabase(":memory:");
  const chat = new Chat({ store: new ChatStore(db), doorbell: new LocalDoorbell(), timing, limits });
  const tools = chatTools(limits, timing);
  return {
    chat,
    tools,
    /** The database itself, for tests that read what a call left, or make the storage fail. */
    db,
    events: new SqliteEventStore(db),
    sessionRecords: new SessionRecords(db),
    stats: () => ({ waiting: chat.waitingCalls }),
  };
}

export function startInProcess(options: Parameters<typeof newChatParts>[0] = {}): InProcessServer {
  return connectingTo(newChatParts(options));
}

/** Clients on sessions of their own (the 2025 handshake), each with its own server on `parts`. */
export function connectingTo({ chat, tools }: Pick<ReturnType<typeof newChatParts>, "chat" | "tools">): InProcessServer {
  const clients: Client[] = [];
  return {
    async connect(name = "test") {
      const client = new Client({ name, version: "1.0.0" });
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await createMcpServer(chat, () => tools, { session: {} }).connect(serverSide);
      await client.connect(clientSide);
      await client.listTools();
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.splice(0).map((client) => client.close()));
    },
  };
}

/**
 * The HTTP layer's route table over a fresh chat, answered without a socket (`handle`), as a
 * loopback server with `maxSessions` sessions and whatever else `options` sets.
 */
export function routesInProcess(
  chatOptions: Parameters<typeof newChatParts>[0] = {},
  options: Partial<Omit<HttpServerOptions, "port" | "newServer" | "events" | "sessionRecords" | "stats">> = {},
) {
  const { chat, tools, events, sessionRecords, stats } = newChatParts(chatOptions);
  const routes = httpRoutes({
    host: "127.0.0.1",
    maxSessions: 100,
    newServer: (serverOptions) => createMcpServer(chat, () => tools, serverOptions),
    events,
    sessionRecords,
    stats,
    ...options,
  });
  // The stream event store too: a test flushes it to see what a replay finds.
  return Object.assign(routes, { events });
}

/** The HTTP layer on 127.0.0.1 and a free port, the way `mcp-chat` serves it, with the given intervals. */
export function startHttpInProcess(intervals: Intervals) {
  const { chat, tools, events, sessionRecords, stats } = newChatParts();
  const http = serveHttp({
    host: "127.0.0.1",
    port: 0,
    maxSessions: 100,
    newServer: (options) => createMcpServer(chat, () => tools, { ...options, progressEveryMs: intervals.progressMs }),
    events,
    sessionRecords,
    stats,
    intervals,
  });
  return { url: http.url, close: () => http.close() };
}
