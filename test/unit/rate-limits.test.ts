// Abuse limits: token buckets that refuse with a clear error and recover by themselves, per
// participant in the domain and per client address at the HTTP layer (loopback not counted).
import { afterAll, describe, expect, test } from "bun:test";
import { clientOf } from "../../src/http/per-address.ts";
import { RateLimiter } from "../../src/rate-limit.ts";
import { call, ok } from "../tool-calls.ts";
import { routesInProcess, startInProcess } from "./in-process.ts";

test("a bucket gives a minute's worth at once, then one token per 60/N seconds, and says how long to wait", () => {
  let now = 0;
  const limiter = new RateLimiter(3, () => now);
  expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
  expect(limiter.take("a")).toBe(20);
  expect(limiter.take("b")).toBe(0); // each key its own bucket
  now = 19_000;
  expect(limiter.take("a")).toBe(1);
  now = 20_000;
  expect(limiter.take("a")).toBe(0);
});

describe("per participant", () => {
  const server = startInProcess({ limits: { sendsPerMinute: 3, joinsPerMinute: 2, queueEntriesPerMinute: 2 } });
  afterAll(() => server.close());

  test("a fourth message in a minute is rate_limited, says when to try again, and stores nothing", async () => {
    const client = await server.connect("chatty");
    await ok(client, "join_room", { room_id: "chatty", display_name: "Chatty" });
    for (let i = 1; i <= 3; i++) await ok(client, "send_message", { room_id: "chatty", message: `m${i}` });
    const refused = await call(client, "send_message", { room_id: "chatty", message: "m4" });
    expect(refused).toMatchObject({ isError: true, data: { code: "rate_limited" } });
    expect(refused.data.error).toMatch(/^Too many messages: at most 3 a minute\. Try again in \d+ s\.$/);
    const history = await ok(client, "get_messages", { room_id: "chatty" });
    const said = history.messages.filter((m: { sender_id: string }) => m.sender_id !== "system");
    expect(said.map((m: { message: string }) => m.message)).toEqual(["m1", "m2", "m3"]);
  });

  test("joins are counted per participant, not per room", async () => {
    const client = await server.connect("joiner");
    await ok(client, "join_room", { room_id: "j1", display_name: "Joiner" });
    await ok(client, "join_room", { room_id: "j2", display_name: "Joiner" });
    expect(await call(client, "join_room", { room_id: "j3", display_name: "Joiner" })).toMatchObject({ data: { code: "rate_limited" } });
    // Someone else is not held back by it.
    expect(await ok(await server.connect("other"), "join_room", { room_id: "j3", display_name: "Other" })).toMatchObject({ room_id: "j3" });
  });

  test("queue entries: one a participant, and a third enter_queue in a minute is rate_limited", async () => {
    const client = await server.connect("queuer");
    const first = await ok(client, "enter_queue", { display_name: "Queuer", timeout: 0 });
    const second = await ok(client, "enter_queue", { display_name: "Queuer", timeout: 0 });
    expect([first.status, second.status, second.position, second.queue_length]).toEqual(["waiting", "waiting", 1, 1]);
    expect(await call(client, "enter_queue", { display_name: "Queuer", timeout: 0 })).toMatchObject({ data: { code: "rate_limited" } });
  });
});

/** A JSON-RPC POST to /mcp that a proxy says came from `forwardedFor`. */
const postFrom = (http: ReturnType<typeof routesInProcess>, forwardedFor: string, body: object, headers: Record<string, string> = {}) =>
  http.handle(
    new Request("http://127.0.0.1:8000/mcp", {
      method: "POST",
      headers: {
        host: "127.0.0.1:8000",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "x-forwarded-for": forwardedFor,
        ...headers,
      },
      body: JSON.stringify({ jsonrpc: "2.0", ...body }),
    }),
  );

describe("per client address", () => {
  const http = routesInProcess(
    { limits: { newParticipantsPerMinute: 2 } },
    { perAddress: { sessionsPerMinute: 2, maxOpen: 2, trustProxy: true } },
  );
  afterAll(() => http.close());
  const from = (address: string, body: object, headers: Record<string, string> = {}) =>
    postFrom(http, `198.51.100.7, ${address}`, body, headers);
  const initialize = {
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "r", version: "1" } },
  };
  const modern = (name: string, args: object) => ({
    id: 1,
    method: "tools/call",
    params: {
      name,
      arguments: args,
      _meta: {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": { name: "r", version: "1" },
        "io.modelcontextprotocol/clientCapabilities": {},
      },
    },
  });
  const modernHeaders = (name: string) => ({ "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name });

  test("new sessions: the third in a minute gets 429 with Retry-After; another address and loopback are not held back", async () => {
    for (let i = 0; i < 2; i++) expect((await from("203.0.113.5", initialize)).status).toBe(200);
    const refused = await from("203.0.113.5", initialize);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await from("203.0.113.6", initialize)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await from("127.0.0.1", initialize)).status).toBe(200);
  });

  test("new participants: the third from one address is rate_limited; a known client_id still works", async () => {
    const joined = [];
    for (const name of ["P1", "P2"]) {
      const response = await from("203.0.113.9", modern("join_room", { room_id: "squat", display_name: name }), modernHeaders("join_room"));
      joined.push(await response.text());
    }
    expect(joined.every((text) => text.includes('"client_id"'))).toBe(true);
    const third = await (
      await from("203.0.113.9", modern("join_room", { room_id: "squat", display_name: "P3" }), modernHeaders("join_room"))
    ).text();
    expect(third).toContain("rate_limited");
    const clientId = /"client_id":"(c_[^"\\]+)/.exec(joined[0]!)![1]!;
    const again = await (await from("203.0.113.9", modern("whoami", { client_id: clientId }), modernHeaders("whoami"))).text();
    expect(again).toContain('"sender":"P1"');
  });

  test("open requests: a third held wait from one address gets 429 until one ends", async () => {
    const clientId = /"client_id":"(c_[^"\\]+)/.exec(
      await (
        await from("203.0.113.20", modern("join_room", { room_id: "hold", display_name: "Holder" }), modernHeaders("join_room"))
      ).text(),
    )![1]!;
    const wait = () =>
      from(
        "203.0.113.21",
        modern("wait_for_message", { room_id: "hold", client_id: clientId, timeout: 1 }),
        modernHeaders("wait_for_message"),
      );
    const held = [await wait(), await wait()];
    expect((await wait()).status).toBe(429);
    await Promise.all(held.map((response) => response.text()));
    expect((await wait()).status).toBe(200);
  });
});

describe("resuming a stream of a session this process does not have (issue 19, #9)", () => {
  const http = routesInProcess({}, { perAddress: { sessionsPerMinute: 2, maxOpen: 100, trustProxy: true } });
  afterAll(() => http.close());
  const resume = (address: string) =>
    http.handle(
      new Request("http://127.0.0.1:8000/mcp", {
        method: "GET",
        headers: {
          host: "127.0.0.1:8000",
          accept: "text/event-stream",
          "mcp-session-id": "made-up-session",
          "last-event-id": "made-up-session.stream/1",
          "x-forwarded-for": address,
        },
      }),
    );

  test("counts as opening a session: a made-up one costs a token of the address's bucket", async () => {
    expect((await resume("203.0.113.9")).status).toBe(404);
    expect((await resume("203.0.113.9")).status).toBe(404);
    const third = await resume("203.0.113.9");
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await resume("203.0.113.10")).status).toBe(404); // another address is not held back
  });
});

describe("a full server (issue 19, #14)", () => {
  const http = routesInProcess({}, { maxSessions: 4, perAddress: { sessionsPerMinute: 1000, maxOpen: 100, trustProxy: true } });
  afterAll(() => http.close());
  const post = (address: string, body: object, sessionId?: string) =>
    postFrom(http, address, body, sessionId ? { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" } : {});
  const open = async (address: string) => {
    const response = await post(address, {
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "s", version: "1" } },
    });
    await response.text();
    return response.headers.get("mcp-session-id")!;
  };
  const alive = async (address: string, sessionId: string) => {
    const response = await post(address, { id: 2, method: "tools/list" }, sessionId);
    await response.text();
    return response.status === 200;
  };

  test("one client opening session after session evicts its own idle sessions, not everyone's", async () => {
    const mine = [await open("192.0.2.1"), await open("192.0.2.2")];
    const theirs: string[] = [];
    // Another /64 address each time is still the same client.
    for (let i = 0; i < 10; i++) theirs.push(await open(`2001:db8:1:2::${(i + 1).toString(16)}`));
    for (const [i, id] of mine.entries()) expect(await alive(`192.0.2.${i + 1}`, id)).toBe(true);
    expect(await Promise.all(theirs.map((id) => alive("2001:db8:1:2::99", id)))).toEqual([...Array(8).fill(false), true, true]);
  });
});

test("an IPv6 client counts by its /64; IPv4 and IPv4-mapped addresses as they are", () => {
  expect(clientOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd")).toBe("2001:db8:1:2::/64");
  expect(clientOf("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
  expect(clientOf("2001:0db8::1")).toBe("2001:db8:0:0::/64");
  expect(clientOf("203.0.113.9")).toBe("203.0.113.9");
  expect(clientOf("::ffff:203.0.113.9")).toBe("::ffff:203.0.113.9");
});
