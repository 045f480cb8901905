// The HTTP layer through its route table, with no socket: guards, refusals and sessions as a client
// sees them (status, JSON-RPC error, headers). What needs a socket (idle cut-off, closed connections)
// is in quiet-connections.test.ts and on the binary.
import { afterAll, describe, expect, test } from "bun:test";
import type { Server } from "@modelcontextprotocol/server";
import { httpRoutes } from "../../src/http/serve.ts";
import { createMcpServer } from "../../src/mcp-server.ts";
import { initializeRequest } from "../raw-http.ts";
import { newChatParts, routesInProcess } from "./in-process.ts";

const http = routesInProcess({}, { maxSessions: 10 });
afterAll(() => http.sessions.closeAll());

const BASE = "http://127.0.0.1:8000";
/** A request as a client on this machine sends it: a Request made in process carries no Host header of itself. */
const request = (path: string, init: RequestInit = {}) =>
  http.handle(new Request(`${BASE}${path}`, { ...init, headers: { host: "127.0.0.1:8000", ...(init.headers as Record<string, string>) } }));
const JSON_AND_SSE = { "content-type": "application/json", accept: "application/json, text/event-stream" };
const post = (body: unknown, headers: Record<string, string> = {}) =>
  request("/mcp", { method: "POST", headers: { ...JSON_AND_SSE, ...headers }, body: JSON.stringify(body) });
const initialize = initializeRequest("routes");

describe("the route table without a socket", () => {
  test("a foreign Host is refused on every path with a JSON-RPC error", async () => {
    for (const path of ["/mcp", "/health", "/elsewhere"]) {
      const response = await request(path, { headers: { host: "evil.example" } });
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(await response.json()).toMatchObject({
        error: { code: -32000, message: "Host not allowed: this server answers only on localhost" },
      });
    }
  });

  test("an unknown path is 404 and names the endpoint", async () => {
    const response = await request("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "Not found. The MCP endpoint is /mcp." });
  });

  test("refusals before a session: not JSON, no session id, an unknown session", async () => {
    const notJson = await request("/mcp", { method: "POST", headers: JSON_AND_SSE, body: "{oops" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: -32700, message: "Parse error: the body must be JSON-RPC in JSON" } });

    const noSession = await post({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect(noSession.status).toBe(400);
    expect(await noSession.json()).toMatchObject({ error: { code: -32000, message: expect.stringContaining("send initialize first") } });

    // An initialize without its params is told what it lacks, not to send initialize.
    for (const params of [undefined, {}, { protocolVersion: "2025-11-25" }]) {
      const bare = await post({ jsonrpc: "2.0", id: 4, method: "initialize", params });
      expect(bare.status).toBe(400);
      expect(await bare.json()).toMatchObject({
        error: { code: -32602, message: expect.stringContaining('initialize needs params {"protocolVersion"') },
      });
    }

    const unknown = await post({ jsonrpc: "2.0", id: 3, method: "tools/list" }, { "mcp-session-id": "no-such-session" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: -32001, message: "Session not found: initialize a new session" } });
  });

  test("initialize opens a session that /health counts", async () => {
    const before = (await (await request("/health")).json()) as { sessions: number };
    const response = await post(initialize);
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toMatch(/^[0-9a-f-]{36}$/);
    await response.text();
    const after = await (await request("/health")).json();
    expect(after).toEqual({ status: "ok", sessions: before.sessions + 1, waiting: 0 });
  });

  test("a batch that repeats a request id is refused whole: no wait is left running", async () => {
    const init = await post(initializeRequest("batch"));
    const headers = { "mcp-session-id": init.headers.get("mcp-session-id")!, "mcp-protocol-version": "2025-11-25" };
    await init.text();
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
    const call = (id: number, name: string, args: object) => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name, arguments: args },
    });
    await (await post(call(1, "join_room", { room_id: "batch", display_name: "Batch" }), headers)).text();
    const wait = call(7, "wait_for_message", { room_id: "batch", timeout: 30 });
    const refused = await post([wait, wait], headers);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining("still in progress") } });
    expect(await (await request("/health")).json()).toMatchObject({ waiting: 0 });
  });
});

describe("resumed streams (issue 19, #9)", () => {
  test("a session holds at most 8 resumed streams open at once; a closed one makes room", async () => {
    const init = await post(initializeRequest("resumer"));
    const sessionId = init.headers.get("mcp-session-id")!;
    await init.text();
    const headers = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25", "content-type": "application/json" };
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
    // A stream id the SDK never made: it replays nothing and would keep the stream open for good.
    const resume = (signal: AbortSignal) =>
      request("/mcp", {
        method: "GET",
        headers: { ...headers, accept: "text/event-stream", "last-event-id": `${sessionId}.made-up/1` },
        signal,
      });
    const held = Array.from({ length: 8 }, () => new AbortController());
    const open = await Promise.all(held.map((controller) => resume(controller.signal)));
    expect(open.map((response) => response.status)).toEqual(Array(8).fill(200));
    const ninth = await resume(new AbortController().signal);
    expect(ninth.status).toBe(429);
    expect(await ninth.json()).toMatchObject({ error: { message: expect.stringContaining("a session may hold 8 open at once") } });
    held[0]!.abort();
    await Bun.sleep(10);
    const again = new AbortController();
    expect((await resume(again.signal)).status).toBe(200);
    for (const controller of [...held, again]) controller.abort();
  });
});

describe("what a session keeps (issue 19, #3)", () => {
  test("of a huge clientInfo, only its name and version, 200 characters each, for the session's life", async () => {
    const servers: Server[] = [];
    const parts = newChatParts();
    const routes = httpRoutes({
      host: "127.0.0.1",
      maxSessions: 10,
      newServer: (options) => {
        const server = createMcpServer(parts.chat, () => parts.tools, options);
        servers.push(server);
        return server;
      },
      events: parts.events,
      sessionRecords: parts.sessionRecords,
      stats: parts.stats,
    });
    const huge = "n".repeat(900_000);
    const body = initializeRequest("x");
    const response = await routes.handle(
      new Request(`${BASE}/mcp`, {
        method: "POST",
        headers: { host: "127.0.0.1:8000", ...JSON_AND_SSE },
        body: JSON.stringify({ ...body, params: { ...body.params, clientInfo: { name: huge, version: huge, extra: huge } } }),
      }),
    );
    expect(response.status).toBe(200);
    await response.text();
    // The SDK keeps the clientInfo it was given for the session's life: 2.7 MB here, kept whole.
    expect(servers.at(-1)!.getClientVersion()).toEqual({ name: "n".repeat(200), version: "n".repeat(200) });
    await routes.sessions.closeAll();
  });
});
