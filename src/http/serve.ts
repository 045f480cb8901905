// Streamable HTTP on Bun.serve: one route table, guards before MCP, then each request to its
// protocol era: 2025-era requests to their sessions (by Mcp-Session-Id), 2026 ones stand alone.
import {
  isInitializeRequest,
  isLegacyRequest,
  LATEST_PROTOCOL_VERSION,
  type RequestId,
  type Server,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/server";
import type { AddressLimits } from "../config.ts";
import { defaultIntervals, type Intervals, MAX_REQUEST_BYTES } from "../config.ts";
import type { SqliteEventStore } from "../db/event-store.ts";
import type { SessionRecords } from "../db/http-sessions.ts";
import { protocolErrors, type RequestError } from "../errors.ts";
import type { ServerFigures } from "../figures.ts";
import { access, warn } from "../log.ts";
import type { McpServerOptions } from "../mcp-server.ts";
import type { Grant } from "../tools/tool.ts";
import type { Access } from "./access.ts";
import { refusal } from "./guards.ts";
import { PerAddress } from "./per-address.ts";
import { endingAfterAnAnswer, replayOfGoneSession } from "./resume.ts";
import { answered, type HttpSession, HttpSessions } from "./sessions.ts";
import { StatelessRequests } from "./stateless.ts";
import { openingAtOnce, whenDone } from "./streams.ts";

export interface HttpServerOptions {
  host: string;
  port: number;
  newServer: (options: McpServerOptions) => Server;
  events: SqliteEventStore;
  /** Where 2025-era sessions are kept across restarts. */
  sessionRecords: SessionRecords;
  /** HTTP sessions held at once. */
  maxSessions: number;
  /** Figures for /health, from the layers below; `database: false` when the file cannot be read. */
  stats: () => Record<string, number | string | boolean>;
  /** The SSE keep-alive and the idle cut-off (see Intervals). */
  intervals?: Pick<Intervals, "keepAliveMs" | "idleSeconds">;
  /** The Bearer tokens /mcp requires; none: no access control. */
  access?: Access;
  /**
   * With JWTs from an identity provider: what the OAuth protected-resource metadata (RFC 9728)
   * names, so that MCP clients find where to get a token.
   */
  protectedResource?: { resource: string; authorizationServer: string };
  /** The URL clients reach the server at (behind a proxy): its host and origin pass the guards. */
  publicUrl?: URL;
  /** More origins web pages may call from. */
  allowedOrigins?: string[];
  /** What one client address may open; loopback addresses are not counted. */
  perAddress?: AddressLimits;
  /** The figures /metrics serves; none: no /metrics. */
  figures?: ServerFigures;
}

export interface HttpServer {
  url: URL;
  /** Stops accepting connections; requests in flight go on. */
  stopListening(): void;
  /** Requests still being answered. */
  readonly inFlight: number;
  close(): Promise<void>;
}

/** A handler of one path; `server` is absent when a test calls the handler without a socket. */
type Handler = (request: Request, server?: Bun.Server<undefined>) => Response | Promise<Response>;

/**
 * The route table: every path and its guards, and what answers the rest. Bun.serve routes by it;
 * `handle` routes by it without a socket, for tests of the HTTP layer.
 */
const PROTECTED_RESOURCE_PATH = "/.well-known/oauth-protected-resource";

export function httpRoutes(options: Omit<HttpServerOptions, "port">) {
  const metadataUrl = options.protectedResource && new URL(`${PROTECTED_RESOURCE_PATH}/mcp`, options.protectedResource.resource).href;
  const { keepAliveMs, idleSeconds } = options.intervals ?? defaultIntervals;
  const sessions = new HttpSessions(options.newServer, options.events, options.sessionRecords, options.maxSessions, keepAliveMs);
  const stateless = new StatelessRequests(options.newServer, keepAliveMs);
  const perAddress = new PerAddress(options.perAddress ?? { sessionsPerMinute: Infinity, maxOpen: Infinity, trustProxy: false });
  /** /mcp requests not yet handed to a session (their body may still be arriving). */
  let arriving = 0;
  // Every path, not only /mcp: a page reached by DNS rebinding must not read /health either.
  const guarded =
    (handler: Handler): Handler =>
    (request, server) => {
      const refused = refusal(request, options.host, options.publicUrl, options.allowedOrigins);
      return refused ? jsonRpcError(protocolErrors.refused(refused)) : handler(request, server);
    };
  const routes: Record<string, Handler> = {
    "/mcp": guarded(async (request, server) => {
      const verdict = options.access ? await options.access.check(request) : { subject: undefined };
      const started = performance.now();
      /** Counted in /metrics, and one access line (the time is until the response started: a wait's stream goes on). */
      const counted = (response: Response) => {
        options.figures?.responded(response.status);
        access({
          method: request.method,
          status: response.status,
          ms: Math.round(performance.now() - started),
          address: address ?? "local",
        });
        return response;
      };
      const address = perAddress.addressOf(request, server);
      if ("refused" in verdict) return counted(unauthorized(verdict.refused, metadataUrl));
      const clientName = clientNameOf(request);
      if (clientName === null) return counted(jsonRpcError(protocolErrors.clientNameNotUtf8()));
      if (!perAddress.enter(address)) return counted(tooMany(protocolErrors.rateLimited("open requests"), 1));
      // Counted from its first byte: a stop also waits for a request whose body is still arriving.
      arriving++;
      try {
        const caller = { owner: verdict.subject, address, grant: verdict.grant, clientName };
        const response = counted(await handleMcp(request, server, caller, { sessions, stateless, perAddress, events: options.events }));
        // Open (for the address's count, with the idle cut-off lifted) until the answer is out: then
        // the connection is an idle keep-alive one again (issue 19, #5).
        return whenDone(request, response, () => {
          perAddress.release(address);
          server?.timeout(request, idleSeconds);
        });
      } catch (error) {
        perAddress.release(address);
        throw error;
      } finally {
        arriving--;
      }
    }),
    // For load balancers and uptime checks: counts and the version, no token needed.
    "/health": guarded(() => {
      const stats = options.stats();
      const ok = stats.database !== false;
      return Response.json({ status: ok ? "ok" : "database unreachable", sessions: sessions.size, ...stats }, { status: ok ? 200 : 503 });
    }),
  };
  const { figures } = options;
  if (figures) {
    figures.metrics.gauge("mcp_chat_sessions", "2025-era HTTP sessions held.", () => sessions.size);
    figures.metrics.gauge(
      "mcp_chat_open_requests",
      "/mcp requests being answered (held waits included).",
      () => arriving + sessions.inFlight + stateless.inFlight,
    );
    // Under access control it takes a token like /mcp: the figures say how busy the server is.
    routes["/metrics"] = guarded(async (request) => {
      const verdict = options.access ? await options.access.check(request) : { subject: undefined };
      if ("refused" in verdict) return unauthorized(verdict.refused, metadataUrl);
      return new Response(figures.metrics.text(), { headers: { "content-type": "text/plain; version=0.0.4" } });
    });
  }
  if (options.protectedResource) {
    const { resource, authorizationServer } = options.protectedResource;
    const metadata = guarded(() =>
      Response.json({
        resource,
        authorization_servers: [authorizationServer],
        bearer_methods_supported: ["header"],
        resource_name: "mcp-chat",
      }),
    );
    // RFC 9728: the document for https://host/mcp is at /.well-known/oauth-protected-resource/mcp;
    // clients also try the root.
    routes[PROTECTED_RESOURCE_PATH] = metadata;
    routes[`${PROTECTED_RESOURCE_PATH}/mcp`] = metadata;
  }
  const notFound = guarded(() => Response.json({ error: "Not found. The MCP endpoint is /mcp." }, { status: 404 }));
  return {
    routes,
    notFound,
    sessions,
    async close() {
      await Promise.all([sessions.closeAll(), stateless.close()]);
    },
    get inFlight() {
      return arriving + sessions.inFlight + stateless.inFlight;
    },
    /** Answers a request as the server would, without a socket. */
    handle: (request: Request) => (routes[new URL(request.url).pathname] ?? notFound)(request),
  };
}

export function serveHttp(options: HttpServerOptions): HttpServer {
  const { idleSeconds } = options.intervals ?? defaultIntervals;
  const http = httpRoutes(options);
  const bun = Bun.serve({
    hostname: options.host,
    port: options.port,
    // A connection silent this long is closed: a client that stops half way through a request, or an
    // idle keep-alive connection. Once /mcp has a whole request, its answer may take minutes: a quiet
    // long-poll is silent for longer, so handleMcp lifts the limit for it.
    idleTimeout: idleSeconds,
    // The largest message is 8,000 characters; nothing legitimate comes near this (Bun's default is 128 MB).
    maxRequestBodySize: MAX_REQUEST_BYTES,
    routes: http.routes,
    fetch: http.notFound,
  });
  return {
    url: new URL("/mcp", bun.url),
    stopListening: () => void bun.stop(false),
    get inFlight() {
      return http.inFlight;
    },
    async close() {
      await http.close();
      await bun.stop(true);
    },
  };
}

interface Eras {
  sessions: HttpSessions;
  stateless: StatelessRequests;
  perAddress: PerAddress;
  events: SqliteEventStore;
}

/** Who calls: the subject of the access token (under access control), what it permits, and the address if it counts. */
export interface HttpCaller {
  owner: string | undefined;
  address: string | undefined;
  grant?: Grant;
  /** The named identity the request asks for (X-MCP-Chat-Client), checked by the domain when a tool runs. */
  clientName?: string;
}

/**
 * X-MCP-Chat-Client as text: a header carries bytes, which Bun hands over one character each, so
 * the name's UTF-8 is decoded here. Undefined without the header; null when it is not UTF-8.
 */
function clientNameOf(request: Request): string | undefined | null {
  const raw = request.headers.get("x-mcp-chat-client");
  if (raw === null) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(raw, "latin1")).trim();
  } catch {
    return null;
  }
}

async function handleMcp(
  request: Request,
  server: Bun.Server<undefined> | undefined,
  caller: HttpCaller,
  { sessions, stateless, perAddress, events }: Eras,
): Promise<Response> {
  const { owner } = caller;
  const sessionId = request.headers.get("mcp-session-id");
  let body: unknown;
  if (request.method === "POST") {
    try {
      body = await request.json();
    } catch {
      return jsonRpcError(protocolErrors.bodyNotJson());
    }
  }
  // Without a socket (a test) there is no idle cut-off to lift.
  server?.timeout(request, 0);
  // The SDK's own test of the era: a POST that names protocol 2026-07-28 (or later) in its _meta.
  if (!sessionId && request.method === "POST" && !(await isLegacyRequest(request, body))) {
    try {
      return await stateless.answer(request, body, caller);
    } catch (error) {
      warn("handling an MCP request failed:", error);
      return jsonRpcError(protocolErrors.internal());
    }
  }
  let session: HttpSession | undefined;
  if (sessionId) {
    session = sessions.find(sessionId, owner) ?? (await sessions.restore(sessionId, owner));
    const lastEventId = request.headers.get("last-event-id");
    if (!session && request.method === "GET" && lastEventId) {
      // Looking for the stream of a session this process does not have reads the index once for
      // every second of kept events (~6 ms): counted as opening a session (issue 19, #9).
      const retryAfter = perAddress.newSession(caller.address);
      if (retryAfter > 0) return tooMany(protocolErrors.rateLimited("new sessions"), retryAfter);
      return replayOfGoneSession(events, sessionId, lastEventId) ?? sessionNotFound();
    }
    if (!session) return sessionNotFound();
  } else if (request.method === "POST" && isInitializeRequest(body)) {
    const retryAfter = perAddress.newSession(caller.address);
    if (retryAfter > 0) return tooMany(protocolErrors.rateLimited("new sessions"), retryAfter);
    // A session keeps its clientInfo for life: only what names the client, bounded (issue 19, #3).
    body.params.clientInfo = boundedClientInfo(body.params.clientInfo);
    const requested = body.params.protocolVersion;
    session = await sessions.open(SUPPORTED_PROTOCOL_VERSIONS.includes(requested) ? requested : LATEST_PROTOCOL_VERSION, caller);
    if (!session) return jsonRpcError(protocolErrors.busy());
  } else if (request.method === "POST" && isObjectWith(body, "method", "initialize")) {
    // An initialize the SDK would not take: say what it lacks, not "send initialize first".
    return jsonRpcError(protocolErrors.initializeShape());
  } else {
    return jsonRpcError(protocolErrors.noSession());
  }
  return track(session, request, body, caller.clientName);
}

/**
 * Hands the request to the session's transport. Each JSON-RPC request it carries is in flight until
 * the transport sends its response, or until the client cancels it (the SDK then sends none). A
 * closed connection is not a cancellation in MCP, but nobody is there to receive the answer: a call
 * learns of it through the HTTP request's signal, so a long wait ends at once.
 */
async function track(session: HttpSession, request: Request, body: unknown, clientName: string | undefined): Promise<Response> {
  const { ids, cancelled } = requestsIn(body);
  answered(session, cancelled);
  // The transport finds a request's stream by its id: a second request with it would take over the
  // first one's stream, and the first would never be answered. Also within one batch (issue 19, #4).
  const reused = ids.find((id, i) => session.inFlight.has(id) || ids.indexOf(id) !== i);
  if (reused !== undefined) {
    return jsonRpcError(protocolErrors.idInUse(reused));
  }
  const resuming = request.method === "GET" && request.headers.has("last-event-id");
  if (resuming && session.resumedStreams >= MAX_RESUMED_STREAMS) return jsonRpcError(protocolErrors.tooManyStreams(MAX_RESUMED_STREAMS));
  for (const id of ids) session.inFlight.set(id, request.signal);
  session.lastActive = Date.now();
  let response: Response;
  try {
    // The request's own X-MCP-Chat-Client goes with it to the tool (createMcpServer reads it).
    const authInfo = clientName === undefined ? undefined : { token: "", clientId: "", scopes: [], extra: { clientName } };
    response = await session.transport.handleRequest(request, { parsedBody: body, authInfo });
  } catch (error) {
    answered(session, ids);
    warn("handling an MCP request failed:", error);
    return jsonRpcError(protocolErrors.internal());
  }
  // Only an event stream (200) carries responses; a refusal (an error status) answers none of the
  // requests. The status, not the Content-Type: reading headers makes a Headers object that every
  // held long-poll would keep.
  if (response.status !== 200) {
    answered(session, ids);
    return response;
  }
  if (!response.body) return response; // DELETE's
  if (resuming) {
    session.resumedStreams++;
    return whenDone(request, endingAfterAnAnswer(response), () => session.resumedStreams--);
  }
  return openingAtOnce(response, request);
}

/**
 * The ids of the JSON-RPC requests in a POST body, and of the requests it cancels. A plain look,
 * not the SDK's zod check: this runs on every request, and the transport validates the messages
 * right after.
 */
function requestsIn(body: unknown): { ids: RequestId[]; cancelled: RequestId[] } {
  const ids: RequestId[] = [];
  const cancelled: RequestId[] = [];
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== "object" || message === null || !("method" in message)) continue;
    if ("id" in message) ids.push(message.id as RequestId);
    else if (message.method === "notifications/cancelled") {
      const requestId = (message as { params?: { requestId?: RequestId } }).params?.requestId;
      if (requestId !== undefined) cancelled.push(requestId);
    }
  }
  return { ids, cancelled };
}

const isObjectWith = (value: unknown, key: string, expected: unknown) =>
  typeof value === "object" && value !== null && (value as Record<string, unknown>)[key] === expected;

/** The client's name and version, each cut to 200 characters: all a session needs of clientInfo. */
function boundedClientInfo(info: unknown): { name: string; version: string } {
  const { name, version } = (typeof info === "object" && info !== null ? info : {}) as Record<string, unknown>;
  return { name: String(name ?? "").slice(0, 200), version: String(version ?? "").slice(0, 200) };
}

const sessionNotFound = () => jsonRpcError(protocolErrors.sessionNotFound());

/**
 * Resumed streams one session may hold open at once. A client resumes the one stream it lost; a
 * made-up stream id is kept open by the SDK for good, so without a bound one session could hold
 * any number (issue 19, #9).
 */
const MAX_RESUMED_STREAMS = 8;

/** 429 with the seconds to wait, as RFC 9110's Retry-After. */
function tooMany({ status, code, message }: RequestError, retryAfterSeconds: number): Response {
  return Response.json(
    { jsonrpc: "2.0", error: { code, message }, id: null },
    { status, headers: { "retry-after": String(retryAfterSeconds) } },
  );
}

/**
 * 401 with the challenge RFC 6750 asks for (naming the protected-resource metadata, RFC 9728, where
 * there is one), and a body that says what is missing.
 */
function unauthorized(why: "missing" | "invalid", metadataUrl: string | undefined): Response {
  const { status, code, message } = why === "missing" ? protocolErrors.tokenMissing() : protocolErrors.tokenInvalid();
  const challenge = [
    'Bearer realm="mcp-chat"',
    why === "invalid" ? 'error="invalid_token"' : undefined,
    metadataUrl ? `resource_metadata="${metadataUrl}"` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status, headers: { "www-authenticate": challenge } });
}

function jsonRpcError({ status, code, message }: RequestError): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}
