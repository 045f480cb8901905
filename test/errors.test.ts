// The errors only HTTP shows, through the real binary: oversized bodies, the Host check, request
// ids in use, malformed tools/call on the wire, the session limit (slow clients: test/unit/quiet-connections.test.ts). What tools answer
// to bad input is in test/unit/tool-errors.test.ts, in process.
import { afterAll, describe, expect, test } from "bun:test";
import { cleanUp, httpClient, ok, startHttp, tempDb } from "./helpers.ts";
import { postInitialize, rawSession, resultOf } from "./raw-http.ts";

afterAll(cleanUp);

describe("oversized requests", () => {
  test("a body over 1 MiB is refused with 413, and the server goes on serving", async () => {
    const server = await startHttp(tempDb());
    const huge = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { padding: "x".repeat(2 * 1024 * 1024) } });
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: huge,
    });
    expect(response.status).toBe(413);
    const client = await httpClient(server);
    expect(await ok(client, "join_room", { room_id: "still-up", display_name: "After" })).toMatchObject({ room_id: "still-up" });
  });
});

describe("the Host check", () => {
  test("a server on loopback refuses a foreign Host on every path, /health too", async () => {
    const server = await startHttp(tempDb());
    for (const path of ["/mcp", "/health", "/elsewhere"]) {
      const response = await fetch(new URL(path, server.url), { headers: { host: "evil.example" } });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { message: "Host not allowed: this server answers only on localhost" } });
    }
    expect((await fetch(new URL("/health", server.url))).status).toBe(200);
  });
});

describe("request ids", () => {
  test("an id still in use by a request in progress is refused, and that request is still answered", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "ids", display_name: "Ids" });
    const call = (name: string, args: object) => raw.post({ id: 500, method: "tools/call", params: { name, arguments: args } });
    const waiting = call("wait_for_message", { room_id: "ids", timeout: 2 }).then((r) => r.text());
    await Bun.sleep(200);
    const reused = await call("whoami", {});
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { code: -32600, message: expect.stringContaining("500") } });
    expect(resultOf(await waiting)).toMatchObject({ timeout: true });
    // Once answered, the id is free again.
    expect((await call("whoami", {})).status).toBe(200);
  });
});

describe("malformed tools/call", () => {
  const reply = async (raw: Awaited<ReturnType<typeof rawSession>>, params: unknown) => {
    const text = await (await raw.post({ id: 9, method: "tools/call", ...(params === undefined ? {} : { params }) })).text();
    return JSON.parse(
      text
        .split("\n")
        .find((l) => l.startsWith("data: {"))!
        .slice(6),
    );
  };

  test("arguments: null counts as no arguments", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "nulls", display_name: "Null" });
    expect((await reply(raw, { name: "whoami", arguments: null })).result.structuredContent).toMatchObject({ sender: "Null" });
  });

  test("params or arguments of the wrong shape get invalid params (-32602) with a sentence", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    for (const [params, says] of [
      [undefined, 'tools/call needs params {"name": "<tool>", "arguments": {...}}'],
      [{ name: 5 }, 'tools/call needs params {"name": "<tool>", "arguments": {...}}'],
      [{ name: "join_room", arguments: ["lobby", "Ann"] }, "The arguments of join_room must be an object"],
      [{ name: "send_message", arguments: "hi" }, "The arguments of send_message must be an object"],
    ] as const) {
      expect((await reply(raw, params)).error).toMatchObject({ code: -32602, message: expect.stringContaining(says) });
    }
  });
});

describe("the session limit", () => {
  test("a new session replaces the one idle the longest; with every session busy it gets 503", async () => {
    const server = await startHttp(tempDb(), ["--max-sessions", "2"]);
    const oldest = await rawSession(server);
    await oldest.call("join_room", { room_id: "full", display_name: "Oldest" });
    await Bun.sleep(20);
    const newer = await rawSession(server);
    await newer.call("join_room", { room_id: "full", display_name: "Newer" });
    await rawSession(server); // the third: the oldest makes room
    expect((await oldest.post({ id: 50, method: "ping" })).status).toBe(404);
    expect((await newer.call("whoami", {})).sender).toBe("Newer");

    // Every session answering a request: none can make room.
    const busy = await startHttp(tempDb(), ["--max-sessions", "1"]);
    const waiter = await rawSession(busy);
    await waiter.call("join_room", { room_id: "busy", display_name: "Waiter" });
    await waiter.startCall("wait_for_message", { room_id: "busy", timeout: 3 }); // in flight for 3 s
    const refused = await postInitialize(busy.url, {}, "late");
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { message: expect.stringContaining("Server busy") } });
  });
});
