// Streamable HTTP on Bun.serve: one route table, guards before MCP, sessions by Mcp-Session-Id.
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { isInitializeRequest, isJSONRPCRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { refusal } from "./guards.ts";
import { type HttpSession, HttpSessions } from "./sessions.ts";

export interface HttpServer {
  url: URL;
  close(): Promise<void>;
}

export function serveHttp(options: { host: string; port: number; newServer: () => Server }): HttpServer {
  const sessions = new HttpSessions(options.newServer);
  const bun = Bun.serve({
    hostname: options.host,
    port: options.port,
    // Bun closes connections silent for idleTimeout seconds (default 10); a quiet long-poll is silent.
    idleTimeout: 0,
    routes: {
      "/mcp": (request) => {
        const refused = refusal(request, options.host);
        return refused ? jsonRpcError(403, -32000, refused) : handleMcp(request, sessions);
      },
      "/health": () => Response.json({ status: "ok" }),
    },
    fetch: () => Response.json({ error: "Not found. The MCP endpoint is /mcp." }, { status: 404 }),
  });
  return {
    url: new URL("/mcp", bun.url),
    async close() {
      await sessions.closeAll();
      await bun.stop(true);
    },
  };
}

async function handleMcp(request: Request, sessions: HttpSessions): Promise<Response> {
  const sessionId = request.headers.get("mcp-session-id");
  let body: unknown;
  if (request.method === "POST") {
    try {
      body = await request.json();
    } catch {
      return jsonRpcError(400, -32700, "Parse error: the body must be JSON-RPC in JSON");
    }
  }
  let session: HttpSession | undefined;
  if (sessionId) {
    session = sessions.get(sessionId);
    if (!session) return jsonRpcError(404, -32001, "Session not found: initialize a new session");
  } else if (request.method === "POST" && isInitializeRequest(body)) {
    session = await sessions.open();
  } else {
    return jsonRpcError(400, -32000, "Bad Request: no Mcp-Session-Id header; send initialize first");
  }
  return track(session, request, body);
}

/** Hands the request to the session's transport, counting it in flight until its body is sent. */
async function track(session: HttpSession, request: Request, body: unknown): Promise<Response> {
  session.lastActive = Date.now();
  session.inFlight++;
  const cancelOnDisconnect = cancelRequestsOnAbort(session, request, body);
  let response: Response;
  try {
    response = await session.transport.handleRequest(request, { parsedBody: body });
  } catch (error) {
    session.inFlight--;
    throw error;
  }
  let finished = false;
  const done = () => {
    if (finished) return;
    finished = true;
    session.inFlight--;
    session.lastActive = Date.now();
    request.signal.removeEventListener("abort", cancelOnDisconnect);
  };
  if (!response.body) {
    done();
    return response;
  }
  const watched = response.body.pipeThrough(new TransformStream({ flush: done }));
  // A client that hangs up mid-stream cancels the pipe instead of flushing it.
  request.signal.addEventListener("abort", done, { once: true });
  return new Response(watched, response);
}

/**
 * A dropped connection is not a cancellation in MCP, but nobody can receive the answer any more:
 * treat it as one, so a long wait ends at once instead of holding its place until it times out.
 */
function cancelRequestsOnAbort(session: HttpSession, request: Request, body: unknown): () => void {
  const messages = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
  const ids = messages.filter(isJSONRPCRequest).map((m) => m.id);
  const cancel = () => {
    for (const requestId of ids) {
      session.transport.onmessage?.({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId, reason: "The client closed the connection." },
      });
    }
  };
  if (ids.length > 0) request.signal.addEventListener("abort", cancel, { once: true });
  return cancel;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}
