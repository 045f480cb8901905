// MCP over plain HTTP, without the SDK: what curl or a hand-written client sees.
/** A server reached over HTTP: the binary (RunningServer) or the HTTP layer in process. */
type Reachable = { url: URL };

/**
 * A raw Streamable HTTP session of the 2025 era, the way curl or a hand-written client sees the
 * server. Revisions before 2025-11-25 have no priming event, nor resumable streams.
 */
export async function rawSession(server: Reachable, protocolVersion = "2025-11-25") {
  const base = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": protocolVersion,
  };
  let sessionId = "";
  const post = (body: object, signal?: AbortSignal) =>
    fetch(server.url, {
      method: "POST",
      headers: sessionId ? { ...base, "mcp-session-id": sessionId } : base,
      body: JSON.stringify({ jsonrpc: "2.0", ...body }),
      signal,
    });
  const init = await post({
    id: 0,
    method: "initialize",
    params: { protocolVersion, capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  });
  sessionId = init.headers.get("mcp-session-id")!;
  await init.text();
  await (await post({ method: "notifications/initialized" })).text();
  let nextId = 1;
  return {
    post,
    sessionId: () => sessionId,
    headers: () => ({ accept: "text/event-stream", "mcp-session-id": sessionId, "mcp-protocol-version": protocolVersion }),
    nextId: () => nextId++,
    /**
     * Starts a tool call and reads its stream up to the priming event, so the call is surely
     * running; gives the request id, the stream's first event id and the response to read on.
     */
    async startCall(name: string, args: object, signal?: AbortSignal) {
      const id = nextId++;
      const response = await post({ id, method: "tools/call", params: { name, arguments: args } }, signal);
      const primed = await readUntil(response, (text) => /^id: /m.test(text));
      return { id, firstEventId: primed.match(/^id: (.+)$/m)![1]!, response };
    },
    async call(name: string, args: object) {
      const text = await (await post({ id: nextId++, method: "tools/call", params: { name, arguments: args } })).text();
      return resultOf(text);
    },
  };
}

/** A 2025-era initialize, as a client opens a session with it. */
export const initializeRequest = (name = "raw", id = 1) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name, version: "1" } },
});

/** POSTs a 2025-era initialize, with no session yet, as curl would; `headers` adds to the usual ones. */
export const postInitialize = (url: URL | string, headers: Record<string, string> = {}, name = "raw") =>
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(initializeRequest(name)),
  });

/** A request of the 2026-07-28 era: no session, its version in `_meta` and in the headers. */
export function rawModern(server: Reachable, method: string, params: Record<string, unknown> = {}, init: RequestInit = {}) {
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const name: Record<string, string> = typeof params.name === "string" ? { "mcp-name": params.name } : {};
  return fetch(server.url, {
    method: "POST",
    ...init,
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": method,
      ...name,
      ...(init.headers as Record<string, string>),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params: { ...params, _meta } }),
  });
}

/** The server's own figures: open sessions and waiting calls. */
export async function health(server: Reachable): Promise<{ status: string; sessions: number; waiting: number }> {
  return (await fetch(new URL("/health", server.url))).json() as never;
}

/** The tool result inside an SSE body. */
export function resultOf(sse: string) {
  const line = sse.split("\n").find((l) => l.startsWith("data: {") && l.includes('"result"'));
  return JSON.parse(line!.slice(6)).result.structuredContent;
}

/** Reads an SSE body until `until` holds for what came so far, then hands back the text. */
export async function readUntil(response: Response, until: (text: string) => boolean): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text;
}

/**
 * Starts a wait over a raw TCP connection and hangs up once the stream is open, the way a killed
 * client does. (Bun's fetch keeps some aborted sockets open, which would hide the disconnect.)
 */
export async function waitThenHangUp(server: Reachable, sessionId: string, id: number, roomId: string): Promise<void> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "wait_for_message", arguments: { room_id: roomId, timeout: 60 } },
  });
  const { promise: primed, resolve } = Promise.withResolvers<void>();
  let received = "";
  const socket = await Bun.connect({
    hostname: server.url.hostname,
    port: Number(server.url.port),
    socket: {
      data(_, chunk) {
        received += chunk.toString();
        if (received.includes("\nid: ")) resolve();
      },
    },
  });
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: ${server.url.host}\r\nContent-Type: application/json\r\n` +
      `Accept: application/json, text/event-stream\r\nMcp-Session-Id: ${sessionId}\r\n` +
      `Mcp-Protocol-Version: 2025-11-25\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  await primed;
  socket.end();
}
