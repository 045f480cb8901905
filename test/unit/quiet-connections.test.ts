// What keeps a long wait alive over HTTP, and what ends a silent connection: progress, SSE
// keep-alives, the idle cut-off. The HTTP layer in process with intervals a tenth of a second to a
// second, where the binary's are 10-15 s; the SDK's real client and raw HTTP, as users reach it.
import { afterAll, describe, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { initializeRequest, rawSession, resultOf } from "../raw-http.ts";
import { elapsed, ok, pairUp } from "../tool-calls.ts";
import { startHttpInProcess } from "./in-process.ts";

const closing: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(closing.map((close) => close())));

function start(intervals: { progressMs: number; keepAliveMs: number; idleSeconds: number }) {
  const server = startHttpInProcess(intervals);
  closing.push(server.close);
  return server;
}

/** The SDK's v2 client, on the 2025 handshake or, with `era: "2026"`, in automatic negotiation. */
async function connect(url: URL, name: string, era: "2025" | "2026" = "2025"): Promise<Client> {
  const client = new Client({ name, version: "1.0.0" }, era === "2026" ? { versionNegotiation: { mode: "auto" } } : {});
  await client.connect(new StreamableHTTPClientTransport(url));
  await client.listTools();
  closing.unshift(() => client.close());
  return client;
}

describe.concurrent("progress", () => {
  for (const era of ["2025", "2026"] as const) {
    test(`keeps a client whose request time-out is a third of the wait alive through it (${era} era)`, async () => {
      // As a client with a 15 s time-out through a 45 s wait, with progress every 10 s.
      const server = start({ progressMs: 300, keepAliveMs: 15_000, idleSeconds: 10 });
      const { bob, roomId, bobMatch } = await pairUp((name) => connect(server.url, name, era));
      const progress: number[] = [];
      const [result, ms] = await elapsed(
        ok(
          bob,
          "wait_for_message",
          { room_id: roomId, client_id: bobMatch.client_id, timeout: 1.35 },
          {
            timeout: 450,
            resetTimeoutOnProgress: true,
            onprogress: (p) => progress.push(p.progress),
          },
        ),
      );
      expect(result).toEqual({ timeout: true, message: "No message received", seq: 0 });
      expect(ms).toBeGreaterThan(1_300);
      expect(progress).toEqual([0.3, 0.6, 0.9, 1.2]);
    });
  }

  test("a progress token longer than 256 characters gets no progress: it would be echoed every tick", async () => {
    const server = start({ progressMs: 100, keepAliveMs: 15_000, idleSeconds: 10 });
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "big-token", display_name: "Big" });
    const wait = (progressToken: string) =>
      raw.post({
        id: raw.nextId(),
        method: "tools/call",
        params: { name: "wait_for_message", arguments: { room_id: "big-token", timeout: 0.35 }, _meta: { progressToken } },
      });
    expect(await (await wait("t".repeat(256))).text()).toContain("notifications/progress");
    expect(await (await wait("t".repeat(10_000))).text()).not.toContain("notifications/progress");
  });

  test("a quiet wait without a progress token gets keep-alive frames for proxies, and no progress", async () => {
    const server = start({ progressMs: 100, keepAliveMs: 200, idleSeconds: 10 });
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "quiet", display_name: "Quiet" });
    const id = raw.nextId();
    const response = await raw.post({
      id,
      method: "tools/call",
      params: { name: "wait_for_message", arguments: { room_id: "quiet", timeout: 0.7 } },
    });
    const body = await response.text();
    expect(resultOf(body)).toMatchObject({ timeout: true });
    expect(body).toContain(": keepalive\n\n");
    expect(body).not.toContain("notifications/progress");
  });
});

describe.concurrent("the idle cut-off", () => {
  test("a quiet wait longer than the idle time-out survives, with keep-alives rarer than it", async () => {
    // As the binary's 10 s idle time-out under the SDK's 15 s keep-alive: the wait lifts the cut-off.
    const server = start({ progressMs: 10_000, keepAliveMs: 10_000, idleSeconds: 1 });
    const { alice, bob, roomId } = await pairUp((name) => connect(server.url, name));
    const waiting = elapsed(ok(bob, "wait_for_message", { room_id: roomId, timeout: 10 }));
    await Bun.sleep(3_000);
    await ok(alice, "send_message", { room_id: roomId, message: "still here?" });
    const [got, ms] = await waiting;
    expect(got.message).toBe("still here?");
    expect(ms).toBeGreaterThan(2_900);
  });

  test("a keep-alive connection that carried an /mcp request is closed once it has been idle as long", async () => {
    const server = start({ progressMs: 10_000, keepAliveMs: 15_000, idleSeconds: 1 });
    let received = "";
    let closedAt: number | undefined;
    const started = performance.now();
    const socket = await Bun.connect({
      hostname: server.url.hostname,
      port: Number(server.url.port),
      socket: {
        data: (_, chunk) => void (received += chunk.toString()),
        close: () => void (closedAt = performance.now() - started),
      },
    });
    const body = JSON.stringify(initializeRequest("keep-alive"));
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${server.url.host}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    for (let i = 0; i < 100 && closedAt === undefined; i++) await Bun.sleep(100);
    socket.end();
    expect(received).toContain('"serverInfo"'); // answered in full first
    // Bun checks idle connections every few seconds: about the idle time, not to the millisecond.
    expect(closedAt).toBeDefined();
    expect(closedAt).toBeLessThan(10_000);
  }, 15_000);

  test("a request that stops half way is dropped after the idle time of silence; the server goes on", async () => {
    const server = start({ progressMs: 10_000, keepAliveMs: 15_000, idleSeconds: 1 });
    let closedAt: number | undefined;
    const started = performance.now();
    const socket = await Bun.connect({
      hostname: server.url.hostname,
      port: Number(server.url.port),
      socket: { data() {}, close: () => void (closedAt = performance.now() - started) },
    });
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: ${server.url.host}\r\nContent-Type: application/json\r\n` +
        `Accept: application/json, text/event-stream\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":`,
    );
    for (let i = 0; i < 100 && closedAt === undefined; i++) await Bun.sleep(100);
    socket.end();
    // Bun checks idle connections every few seconds: about the idle time, not to the millisecond.
    expect(closedAt).toBeGreaterThan(500);
    expect(closedAt).toBeLessThan(10_000);
    const client = await connect(server.url, "after");
    expect(await ok(client, "join_room", { room_id: "after-slow", display_name: "After" })).toMatchObject({ room_id: "after-slow" });
  }, 15_000);
});
