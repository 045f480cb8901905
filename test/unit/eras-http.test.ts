// What HTTP clients of either protocol era see of the endpoint itself: streams that open at once,
// a closed 2026 stream ending its wait, the same tools in both eras, and the guards before both.
// The HTTP layer in process, reached with plain fetch.
import { afterAll, describe, expect, test } from "bun:test";
import { health, postInitialize, rawModern, rawSession, resultOf } from "../raw-http.ts";
import { elapsed } from "../tool-calls.ts";
import { startHttpInProcess } from "./in-process.ts";

// Keep-alives as rare as the binary's: nothing but the server's own first bytes opens a stream early.
const server = startHttpInProcess({ progressMs: 10_000, keepAliveMs: 15_000, idleSeconds: 10 });
afterAll(() => server.close());

/** Joins a group room in the 2026 era and gives the client_id. */
async function joinModern(roomId: string, name: string): Promise<string> {
  const joined = resultOf(
    await (await rawModern(server, "tools/call", { name: "join_room", arguments: { room_id: roomId, display_name: name } })).text(),
  );
  return joined.client_id;
}

const quietWait = (roomId: string, clientId?: string) => ({
  name: "wait_for_message",
  arguments: { room_id: roomId, timeout: 3, ...(clientId ? { client_id: clientId } : {}) },
});

describe.concurrent("every response stream has its headers out at once", () => {
  test("a quiet wait of a 2025-06-18 client (no priming event)", async () => {
    const raw = await rawSession(server, "2025-06-18");
    await raw.call("join_room", { room_id: "headers-old", display_name: "Old" });
    const [response, ms] = await elapsed(raw.post({ id: raw.nextId(), method: "tools/call", params: quietWait("headers-old") }));
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1_000);
    expect(resultOf(await response.text())).toMatchObject({ timeout: true });
  });

  test("the GET stream of a 2025 session", async () => {
    const raw = await rawSession(server);
    const stop = new AbortController();
    const [response, ms] = await elapsed(fetch(server.url, { headers: raw.headers(), signal: stop.signal }));
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1_000);
    stop.abort();
  });

  test("a quiet wait of the 2026 era", async () => {
    const clientId = await joinModern("headers-new", "New");
    const [response, ms] = await elapsed(rawModern(server, "tools/call", quietWait("headers-new", clientId)));
    expect(response.status).toBe(200);
    expect(ms).toBeLessThan(1_000);
    expect(resultOf(await response.text())).toMatchObject({ timeout: true });
  });
});

test("a closed 2026 stream ends its wait at once, and the message sent next still reaches the reader", async () => {
  const ann = await joinModern("closed-stream", "Ann");
  const bob = await joinModern("closed-stream", "Bob");
  const stop = new AbortController();
  const waiting = await rawModern(server, "tools/call", quietWait("closed-stream", bob), { signal: stop.signal });
  expect(waiting.status).toBe(200);
  await Bun.sleep(100);
  expect((await health(server)).waiting).toBe(1);
  stop.abort();
  for (let i = 0; i < 50 && (await health(server)).waiting > 0; i++) await Bun.sleep(20);
  expect((await health(server)).waiting).toBe(0);

  await rawModern(server, "tools/call", {
    name: "send_message",
    arguments: { room_id: "closed-stream", client_id: ann, message: "after the hang-up" },
  });
  const next = await rawModern(server, "tools/call", quietWait("closed-stream", bob));
  expect(resultOf(await next.text())).toMatchObject({ message: "after the hang-up", sender: "Ann" });
});

/** The one JSON-RPC message of an SSE answer. */
const messageOf = async (response: Response) =>
  JSON.parse(
    (await response.text())
      .split("\n")
      .find((l) => l.startsWith("data: {"))!
      .slice(6),
  );

test("both eras list the same tools and say the list never changes", async () => {
  const initialized = await messageOf(await postInitialize(server.url));
  const discovered = await messageOf(await rawModern(server, "server/discover"));
  for (const answer of [initialized, discovered]) expect(answer.result.capabilities.tools).toEqual({ listChanged: false });

  const raw = await rawSession(server);
  const legacyTools = (await messageOf(await raw.post({ id: raw.nextId(), method: "tools/list" }))).result.tools;
  const modernTools = (await messageOf(await rawModern(server, "tools/list"))).result.tools;
  expect(modernTools).toEqual(legacyTools);
  expect(legacyTools.map((t: { name: string }) => t.name)).toContain("wait_for_message");
});

describe("the guards stand before the 2026 era too", () => {
  test("a foreign Origin or Host is refused", async () => {
    for (const headers of [{ origin: "https://evil.example" }, { host: "evil.example" }] as Record<string, string>[]) {
      const response = await rawModern(server, "tools/list", {}, { headers });
      expect(response.status).toBe(403);
    }
  });

  test("a body over the limit is refused before anything reads it", async () => {
    const response = await rawModern(server, "tools/call", { name: "whoami", arguments: { pad: "x".repeat(2 * 1024 * 1024) } });
    expect(response.status).toBe(413);
  });
});
