// One MCP server and transport per Streamable HTTP session, forgotten when closed or idle.
import {
  type JSONRPCMessage,
  type RequestId,
  type Server,
  type TransportSendOptions,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { SqliteEventStore } from "../db/event-store.ts";
import type { McpServerOptions } from "../mcp-server.ts";
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

export interface HttpSession {
  transport: WebStandardStreamableHTTPServerTransport;
  lastActive: number;
  /**
   * For each JSON-RPC request being answered, the signal of the HTTP request that carried it, which
   * fires when its connection closes. A session with one in flight is never idle.
   */
  inFlight: Map<RequestId, AbortSignal>;
}

export class HttpSessions {
  private readonly sessions = new Map<string, HttpSession>();
  private readonly sweeper: Timer;

  constructor(
    private readonly newServer: (options: McpServerOptions) => Server,
    private readonly events: SqliteEventStore,
    private readonly maxSessions: number,
    /** How often each open SSE stream gets a keep-alive comment. */
    private readonly keepAliveMs: number,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(Date.now() - SESSION_IDLE_MS), SWEEP_EVERY_MS);
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
   * the server holds its most sessions, the one idle the longest makes room (its client gets 404
   * and initializes again); with every session answering a request, there is none: undefined.
   */
  async open(): Promise<HttpSession | undefined> {
    if (this.sessions.size >= this.maxSessions && !this.closeLongestIdle()) return undefined;
    const events = new SessionEventStore(this.events);
    const transport = new AnsweringTransport({
      sessionIdGenerator: newSessionId,
      eventStore: events,
      keepAliveMs: this.keepAliveMs,
      onsessioninitialized: (id) => {
        events.sessionId = id;
        this.sessions.set(id, session);
      },
      onsessionclosed: (id) => void this.sessions.delete(id),
    });
    const session: HttpSession = { transport, lastActive: Date.now(), inFlight: new Map() };
    transport.onanswered = (requestId) => answered(session, [requestId]);
    const server = this.newServer({ session: {}, connectionClosed: (requestId) => session.inFlight.get(requestId) });
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

  private closeLongestIdle(): boolean {
    let longest: HttpSession | undefined;
    for (const session of this.sessions.values()) {
      if (session.inFlight.size === 0 && (!longest || session.lastActive < longest.lastActive)) longest = session;
    }
    if (!longest?.transport.sessionId) return false;
    // At once, not when close() settles: the new session must not find the map still full.
    this.sessions.delete(longest.transport.sessionId);
    void longest.transport.close();
    return true;
  }

  private closeIdle(before: number): void {
    for (const session of this.sessions.values()) {
      if (session.inFlight.size === 0 && session.lastActive < before) void session.transport.close();
    }
  }
}

/** Requests the session has finished with (answered, or cancelled by the client): its idle time starts now. */
export function answered(session: HttpSession, requestIds: RequestId[]): void {
  for (const id of requestIds) session.inFlight.delete(id);
  session.lastActive = Date.now();
}
