// One MCP server and transport per 2025-era Streamable HTTP session, forgotten when closed or
// idle. Sessions are also kept in the database, so that after a restart a request with a known
// session id is served: its server is rebuilt, with the identity the session had taken.
import {
  type JSONRPCMessage,
  type RequestId,
  type Server,
  type TransportSendOptions,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { SqliteEventStore } from "../db/event-store.ts";
import type { SessionRecords } from "../db/http-sessions.ts";
import { warn } from "../log.ts";
import type { McpServerOptions } from "../mcp-server.ts";
import type { Grant, Session } from "../tools/tool.ts";
import type { HttpCaller } from "./serve.ts";
import { SessionEventStore } from "./session-events.ts";

/** A session nobody used for this long is closed (client.close() does not end sessions). */
const SESSION_IDLE_MS = 30 * 60_000;
const SWEEP_EVERY_MS = 60_000;

const newSessionId = () => crypto.randomUUID();

/** The SDK's transport, telling when it is done with the response to a request. */
class AnsweringTransport extends WebStandardStreamableHTTPServerTransport {
  onanswered?: (requestId: RequestId) => void;

  override async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    try {
      await super.send(message, options);
    } finally {
      // Sent, stored for replay, or undeliverable: either way nothing more will come for it.
      if (!("method" in message) && message.id !== undefined) this.onanswered?.(message.id);
    }
  }
}

/** A session's identity, written through to its record so that a restart keeps it. */
class RememberedSession implements Session {
  /** Set once the transport has made the session's id, before the session's first tool call. */
  id: string | undefined;
  private current: string | undefined;

  constructor(
    private readonly records: SessionRecords,
    private readonly owner: string | undefined,
    clientId?: string,
  ) {
    this.current = clientId;
  }

  get clientId(): string | undefined {
    return this.current;
  }

  set clientId(clientId: string | undefined) {
    if (clientId === this.current) return;
    this.current = clientId;
    if (this.id && clientId) {
      this.records.setClientId(this.id, this.owner, clientId).catch((error) => warn("keeping a session's identity failed:", error));
    }
  }
}

export interface HttpSession {
  transport: WebStandardStreamableHTTPServerTransport;
  /** Under access control, the subject of the access token that opened it: no other token reaches it. */
  owner: string | undefined;
  lastActive: number;
  /**
   * For each JSON-RPC request being answered, the signal of the HTTP request that carried it, which
   * fires when its connection closes. A session with one in flight is never idle.
   */
  inFlight: Map<RequestId, AbortSignal>;
  /**
   * Who opened it, for a fair eviction: the access token's subject, else the client's address
   * (undefined on loopback). When the server is full, the opener holding the most sessions loses one.
   */
  opener: string | undefined;
  /** GET streams resumed with Last-Event-ID and still open: a stream id the SDK does not know stays open for good. */
  resumedStreams: number;
}

export class HttpSessions {
  private readonly sessions = new Map<string, HttpSession>();
  private readonly sweeper: Timer;

  /** Sessions being rebuilt after a restart, so that two requests at once rebuild one. */
  private readonly restoring = new Map<string, Promise<HttpSession | undefined>>();
  private lastSweep = Date.now();

  constructor(
    private readonly newServer: (options: McpServerOptions) => Server,
    private readonly events: SqliteEventStore,
    private readonly records: SessionRecords,
    private readonly maxSessions: number,
    /** How often each open SSE stream gets a keep-alive comment. */
    private readonly keepAliveMs: number,
  ) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  get(id: string): HttpSession | undefined {
    return this.sessions.get(id);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Requests being answered in every session: what a graceful stop waits for. */
  get inFlight(): number {
    let total = 0;
    for (const session of this.sessions.values()) total += session.inFlight.size;
    return total;
  }

  /**
   * A transport for an initialize request; it joins the map once the SDK has given it an id. When
   * the server holds its most sessions, one makes room (its client gets 404 and initializes again):
   * see closeOneIdle. With every session answering a request, there is none: undefined.
   */
  async open(protocolVersion: string, { owner, address, grant }: HttpCaller): Promise<HttpSession | undefined> {
    if (this.sessions.size >= this.maxSessions && !this.closeOneIdle()) return undefined;
    return this.connect(protocolVersion, newSessionId, new RememberedSession(this.records, owner), owner, address, grant);
  }

  /** The session `id`, if it is in memory and belongs to `owner`. */
  find(id: string, owner: string | undefined): HttpSession | undefined {
    const session = this.sessions.get(id);
    return session?.owner === owner ? session : undefined;
  }

  /**
   * The session `id` as it was before this process started, if the database knows it and it was
   * not idle too long: a new server and transport, taken through the handshake the client made
   * then, with the identity the session had.
   */
  async restore(id: string, owner: string | undefined): Promise<HttpSession | undefined> {
    let restoring = this.restoring.get(id);
    if (!restoring) {
      restoring = this.rebuild(id, owner).finally(() => this.restoring.delete(id));
      this.restoring.set(id, restoring);
    }
    const session = await restoring;
    return session?.owner === owner ? session : undefined;
  }

  private async rebuild(id: string, owner: string | undefined): Promise<HttpSession | undefined> {
    const record = await this.records.find(id, owner, Date.now() - SESSION_IDLE_MS);
    if (!record || this.sessions.has(id)) return this.sessions.get(id);
    if (this.sessions.size >= this.maxSessions && !this.closeOneIdle()) return undefined;
    const session = await this.connect(
      record.protocolVersion,
      () => id,
      new RememberedSession(this.records, owner, record.clientId),
      owner,
    );
    const headers = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    const initialize = {
      jsonrpc: "2.0",
      id: "restore",
      method: "initialize",
      params: { protocolVersion: record.protocolVersion, capabilities: {}, clientInfo: { name: "restored session", version: "0" } },
    };
    await (
      await session.transport.handleRequest(
        new Request("http://restore/mcp", { method: "POST", headers, body: JSON.stringify(initialize) }),
      )
    ).text();
    const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
    await session.transport.handleRequest(
      new Request("http://restore/mcp", {
        method: "POST",
        headers: { ...headers, "mcp-session-id": id, "mcp-protocol-version": record.protocolVersion },
        body: JSON.stringify(initialized),
      }),
    );
    return session;
  }

  private async connect(
    protocolVersion: string,
    sessionIdGenerator: () => string,
    remembered: RememberedSession,
    owner: string | undefined,
    /** The address that opened it, if it counts: new participants made in the session count against it. */
    address?: string,
    /** What the access token that opened it permits (as it was then). */
    grant?: Grant,
  ): Promise<HttpSession> {
    const events = new SessionEventStore(this.events);
    const transport = new AnsweringTransport({
      sessionIdGenerator,
      eventStore: events,
      keepAliveMs: this.keepAliveMs,
      onsessioninitialized: (id) => {
        events.sessionId = id;
        remembered.id = id;
        this.sessions.set(id, session);
        this.records.add(id, owner, protocolVersion);
        if (remembered.clientId) void this.records.setClientId(id, owner, remembered.clientId).catch(() => {});
      },
      // The client ended it (DELETE): it is not to come back after a restart either.
      onsessionclosed: (id) => {
        this.sessions.delete(id);
        this.records.forget(id, owner);
      },
    });
    const session: HttpSession = {
      transport,
      owner,
      opener: owner === undefined ? address : `token:${owner}`,
      lastActive: Date.now(),
      inFlight: new Map(),
      resumedStreams: 0,
    };
    transport.onanswered = (requestId) => answered(session, [requestId]);
    const server = this.newServer({
      session: remembered,
      owner,
      address,
      grant,
      connectionClosed: (requestId) => session.inFlight.get(requestId),
    });
    session.transport.onclose = () => {
      if (session.transport.sessionId) this.sessions.delete(session.transport.sessionId);
      void server.close();
    };
    await server.connect(session.transport);
    return session;
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close()));
  }

  /**
   * Makes room for a new session: the one idle the longest among the sessions of whoever opened the
   * most (an access token's subject, else a client address; loopback counts as one). One client that
   * opens session after session then evicts its own, not everyone's (issue 19, #14).
   */
  private closeOneIdle(): boolean {
    // One pass: how many each opener holds, and each opener's session idle the longest (busy ones never go).
    const held = new Map<string | undefined, number>();
    const idlest = new Map<string | undefined, HttpSession>();
    for (const session of this.sessions.values()) {
      held.set(session.opener, (held.get(session.opener) ?? 0) + 1);
      if (session.inFlight.size > 0 || !session.transport.sessionId) continue;
      const known = idlest.get(session.opener);
      if (!known || session.lastActive < known.lastActive) idlest.set(session.opener, session);
    }
    let chosen: HttpSession | undefined;
    for (const [opener, session] of idlest) {
      if (!chosen || held.get(opener)! > held.get(chosen.opener)!) chosen = session;
    }
    const id = chosen?.transport.sessionId;
    if (!chosen || !id) return false;
    // At once, not when close() settles: the new session must not find the map still full.
    this.sessions.delete(id);
    this.records.forget(id, chosen.owner);
    void chosen.transport.close();
    return true;
  }

  /**
   * Closes the sessions idle too long, and tells the database which were used since the last sweep
   * (one write a minute, not one a request).
   */
  private sweep(now = Date.now()): void {
    const idleSince = now - SESSION_IDLE_MS;
    const used: [string, string | undefined][] = [];
    for (const [id, session] of this.sessions) {
      if (session.inFlight.size > 0 || session.lastActive >= this.lastSweep) used.push([id, session.owner]);
      else if (session.lastActive < idleSince) void session.transport.close();
    }
    this.lastSweep = now;
    try {
      this.records.touch(used, now);
      this.records.prune(idleSince);
    } catch (error) {
      warn("keeping the sessions' last use failed:", error);
    }
  }
}

/** Requests the session has finished with (answered, or cancelled by the client): its idle time starts now. */
export function answered(session: HttpSession, requestIds: RequestId[]): void {
  for (const id of requestIds) session.inFlight.delete(id);
  session.lastActive = Date.now();
}
