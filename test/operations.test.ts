// What an operator watches and keeps: /health (with the version and whether the database answers),
// /metrics in the Prometheus text format, whose counters move with the chat, and backups.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { BINARY, cleanUp, elapsed, httpClient, ok, pairUp, startHttp, tempDb, tempDir } from "./helpers.ts";

afterAll(cleanUp);

/** The samples of a Prometheus text page, by series; throws on a line that is not the format. */
function samples(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+]+|\+Inf|NaN)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    series.set(match[1]!, Number(match[2]));
  }
  return series;
}

test("/health names the version and the database; /metrics counts what happens", async () => {
  const server = await startHttp(tempDb());
  const health = await (await fetch(new URL("/health", server.url))).json();
  expect(health).toMatchObject({ status: "ok", version: packageJson.version, database: true, sessions: 0, waiting: 0 });

  const before = samples(await (await fetch(new URL("/metrics", server.url))).text());
  const { alice, bob, roomId } = await pairUp(server);
  const waiting = elapsed(ok(bob, "wait_for_message", { room_id: roomId, timeout: 10 }));
  await Bun.sleep(100);
  const during = samples(await (await fetch(new URL("/metrics", server.url))).text());
  expect(during.get("mcp_chat_waiting_calls")).toBe(1);
  await ok(alice, "send_message", { room_id: roomId, message: "counted" });
  await waiting;
  const after = samples(await (await fetch(new URL("/metrics", server.url))).text());
  expect((after.get("mcp_chat_messages_stored_total") ?? 0) - (before.get("mcp_chat_messages_stored_total") ?? 0)).toBe(1);
  expect(after.get("mcp_chat_messages_delivered_total")).toBe(1);
  expect(after.get("mcp_chat_delivery_age_seconds_count")).toBe(1);
  expect(after.get('mcp_chat_delivery_age_seconds_bucket{le="+Inf"}')).toBe(1);
  expect(after.get("mcp_chat_send_commit_seconds_count")).toBe(1);
  expect(after.get("mcp_chat_sessions")).toBeGreaterThanOrEqual(2);
  expect(after.get('mcp_chat_http_responses_total{status="200"}')).toBeGreaterThan(0);
});

test("under access control /metrics takes a token, and /health does not", async () => {
  const token = "ops-token-0123456789abcdef";
  const server = await startHttp(tempDb(), ["--token", token]);
  expect((await fetch(new URL("/metrics", server.url))).status).toBe(401);
  expect((await fetch(new URL("/metrics", server.url), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  expect((await fetch(new URL("/health", server.url))).status).toBe(200);
  const client = await httpClient(server, "ops", "v1 client", { authorization: `Bearer ${token}` });
  expect(await ok(client, "join_room", { room_id: "ops", display_name: "Ops" })).toMatchObject({ room_id: "ops" });
});

test("backup writes a private, consistent copy while sends go on, holding every message sent before it", async () => {
  const db = tempDb();
  // One agent sends hundreds of messages: no loop guard (issue 18).
  const server = await startHttp(db, ["--loop-guard", "0"]);
  const client = await httpClient(server, "busy");
  await ok(client, "join_room", { room_id: "backup", display_name: "Busy" });
  for (let i = 0; i < 20; i++) await ok(client, "send_message", { room_id: "backup", message: `before ${i}` });
  let sending = true;
  const more = (async () => {
    for (let i = 0; sending; i++) await ok(client, "send_message", { room_id: "backup", message: `during ${i}` });
  })();
  const copy = join(tempDir(), "copy.db");
  const run = Bun.spawn([BINARY, "backup", copy, "--db", db], { stdout: "pipe", stderr: "pipe" });
  expect(await run.exited).toBe(0);
  sending = false;
  await more;
  expect(statSync(copy).mode & 0o777).toBe(0o600);
  const backup = new Database(copy, { readonly: true });
  expect(backup.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  const bodies = backup
    .query<{ body: string }, []>("SELECT body FROM messages WHERE sender_id IS NOT NULL ORDER BY seq")
    .all()
    .map((r) => r.body);
  expect(bodies.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `before ${i}`));
  backup.close();
  // It never overwrites.
  const again = Bun.spawn([BINARY, "backup", copy, "--db", db], { stdout: "pipe", stderr: "pipe" });
  expect(await again.exited).toBe(1);
  expect(await new Response(again.stderr).text()).toContain("already exists");
});

test("--log-format json --log-level debug: one JSON object a line, an access line per request, and nothing secret", async () => {
  const server = await startHttp(tempDb(), ["--log-format", "json", "--log-level", "debug"]);
  const client = await httpClient(server, "logged");
  const joined = await ok(client, "join_room", { room_id: "json-logs", display_name: "Logged" });
  expect(await server.stop()).toBe(0);
  expect(server.stderr()).not.toContain(joined.client_id);
  const lines = server
    .stderr()
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines.every((line) => typeof line.time === "string" && ["error", "warn", "info", "debug"].includes(line.level))).toBe(true);
  const requests = lines.filter((line) => line.msg === "request");
  expect(requests.length).toBeGreaterThanOrEqual(3); // initialize, initialized, tools/list, tools/call
  expect(requests[0]).toMatchObject({ level: "debug", method: "POST", status: 200, address: "local" });
  expect(typeof requests[0].ms).toBe("number");
  expect(lines.some((line) => line.msg.startsWith("stopping"))).toBe(true);
});

test("a bad --log-level is refused with the choices", async () => {
  const run = Bun.spawn([BINARY, "--log-level", "loud"], { stdout: "pipe", stderr: "pipe" });
  expect(await run.exited).toBe(2);
  expect(await new Response(run.stderr).text()).toContain("--log-level must be one of error, warn, info, debug");
});

test("--retention prunes at start: a server started with --retention 0 keeps no message, nor the deserted room", async () => {
  const db = tempDb();
  const first = await startHttp(db);
  const client = await httpClient(first, "old");
  await ok(client, "join_room", { room_id: "old-news", display_name: "Old" });
  await ok(client, "send_message", { room_id: "old-news", message: "yesterday's" });
  await ok(client, "leave_chat", { room_id: "old-news" }); // nobody left in it: the room goes too
  expect(await first.stop()).toBe(0);
  const second = await startHttp(db, ["--retention", "0"]);
  expect(await second.stop()).toBe(0);
  expect(second.stderr()).toMatch(/retention: deleted [1-9]\d* messages older than 0 days and 1 empty rooms/);
  const file = new Database(db, { readonly: true });
  expect(file.query("SELECT count(*) AS n FROM messages").get()).toEqual({ n: 0 });
  file.close();
});
