// Long waits that real clients survive through the binary: resumed streams, mass cancellation, shutdown.
// Progress, keep-alives and the idle cut-off are in test/unit/quiet-connections.test.ts, with short intervals.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { cleanUp, elapsed, httpClient, ok, startHttp, tempDb } from "./helpers.ts";
import { health, rawSession, readUntil, resultOf, waitThenHangUp } from "./raw-http.ts";

afterAll(cleanUp);

describe("resumable streams", () => {
  test("a result sent on a stream that dropped is replayed with Last-Event-ID, and delivered once", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "resume", display_name: "Waiter" });
    const sender = await httpClient(server);
    await ok(sender, "join_room", { room_id: "resume", display_name: "Sender" });
    await raw.call("wait_for_message", { room_id: "resume", timeout: 0 }); // "Sender joined"

    // The wait starts; the priming event gives the stream's first event id.
    const dropped = new AbortController();
    const { id, firstEventId: lastEventId } = await raw.startCall("wait_for_message", { room_id: "resume", timeout: 30 }, dropped.signal);
    // The message arrives and the result goes out, but the client drops without reading it.
    await ok(sender, "send_message", { room_id: "resume", message: "do not lose me" });
    await Bun.sleep(200);
    dropped.abort();

    const resumed = new AbortController();
    const replay = await fetch(server.url, {
      headers: { ...raw.headers(), "last-event-id": lastEventId },
      signal: resumed.signal,
    });
    expect(replay.status).toBe(200);
    const replayed = await readUntil(replay, (text) => text.includes('"result"'));
    resumed.abort();
    expect(
      JSON.parse(
        replayed
          .split("\n")
          .find((l) => l.includes('"result"'))!
          .slice(6),
      ),
    ).toMatchObject({
      id,
      result: { structuredContent: { message: "do not lose me", sender: "Sender" } },
    });
    // Exactly once: the cursor moved when the result was sent, so the next wait has nothing.
    expect(await raw.call("wait_for_message", { room_id: "resume", timeout: 0 })).toMatchObject({ timeout: true });
    // Another session cannot resume this session's stream, nor can a made-up session id.
    const stranger = await rawSession(server);
    const stolen = await fetch(server.url, { headers: { ...stranger.headers(), "last-event-id": lastEventId } });
    expect(stolen.status).toBe(400);
    const madeUp = await fetch(server.url, { headers: { ...raw.headers(), "mcp-session-id": "made-up", "last-event-id": lastEventId } });
    expect(madeUp.status).toBe(404);
    expect(await madeUp.text()).not.toContain("do not lose me");
  });

  test("a result sent just before the server was killed is replayed after the restart", async () => {
    const db = tempDb();
    const first = await startHttp(db);
    const raw = await rawSession(first);
    await raw.call("join_room", { room_id: "crash", display_name: "Waiter" });
    const sender = await httpClient(first);
    await ok(sender, "join_room", { room_id: "crash", display_name: "Sender" });
    await raw.call("wait_for_message", { room_id: "crash", timeout: 0 }); // "Sender joined"
    const { id, firstEventId } = await raw.startCall("wait_for_message", { room_id: "crash", timeout: 30 });
    await ok(sender, "send_message", { room_id: "crash", message: "survive the crash" });
    await Bun.sleep(200);
    await first.kill9();

    const second = await startHttp(db);
    const replay = await fetch(second.url, { headers: { ...raw.headers(), "last-event-id": firstEventId } });
    expect(replay.status).toBe(200);
    const event = (await replay.text()).split("\n").find((line) => line.includes('"result"'))!;
    expect(JSON.parse(event.slice(6))).toMatchObject({ id, result: { structuredContent: { message: "survive the crash" } } });
    // An event id nobody issued replays nothing (the session is back, so it is refused as in a live
    // one), and nor does this one under another session id.
    const bogus = await fetch(second.url, { headers: { ...raw.headers(), "last-event-id": "00000000-0000-0000-0000-000000000000.x/1" } });
    expect(bogus.status).toBe(400);
    expect(await bogus.text()).not.toContain("survive the crash");
    const madeUp = await fetch(second.url, { headers: { ...raw.headers(), "mcp-session-id": "made-up", "last-event-id": firstEventId } });
    expect(madeUp.status).toBe(404);
    expect(await madeUp.text()).not.toContain("survive the crash");
  });

  test("a resumed stream whose answer is in the replay ends after it", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    const { firstEventId } = await raw.startCall("join_room", { room_id: "done", display_name: "Done" });
    await Bun.sleep(200);
    const replay = await fetch(server.url, {
      headers: { ...raw.headers(), "last-event-id": firstEventId },
      signal: AbortSignal.timeout(5_000),
    });
    const [text, ms] = await elapsed(replay.text());
    expect(resultOf(text)).toMatchObject({ room_id: "done" });
    expect(ms).toBeLessThan(1_000);
  });

  test("a stream that drops while waiting ends the wait; the resumed stream says to call again", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "gap", display_name: "Waiter" });
    const dropped = new AbortController();
    const { firstEventId: lastEventId } = await raw.startCall("wait_for_message", { room_id: "gap", timeout: 60 }, dropped.signal);
    dropped.abort();
    await Bun.sleep(200);
    expect((await health(server)).waiting).toBe(0);
    const replay = await fetch(server.url, {
      headers: { ...raw.headers(), "last-event-id": lastEventId },
    });
    const replayed = await readUntil(replay, (text) => text.includes('"result"'));
    await replay.body?.cancel().catch(() => {});
    expect(resultOf(replayed)).toMatchObject({ timeout: true, message: "No message received" });
  });
});

describe("cancellation at scale", () => {
  test("1,000 waits whose clients hung up leave no waiter behind, and no memory", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "hang-ups", display_name: "Flaky" });
    const rss = () => Number(readFileSync(`/proc/${server.process.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)![1]) * 1024;
    const waiting = async () => (await health(server)).waiting;
    const hangUps = async (count: number) => {
      for (let i = 0; i < count; i++) await waitThenHangUp(server, raw.sessionId(), raw.nextId(), "hang-ups");
    };
    // The heap grows to a working size first; a leak shows as growth that goes on after that.
    await hangUps(1_000);
    const settled = rss();
    // Two rounds after it, and their mean: one round's RSS swings by several MiB either way.
    await hangUps(2_000);
    for (let i = 0; i < 50 && (await waiting()) > 0; i++) await Bun.sleep(20);
    expect(await waiting()).toBe(0);
    expect((await raw.call("whoami", {})).waiting_calls).toBe(0);
    // A waiter costs about 15 KiB: a leak of even half of that would add 7 MiB over 1,000.
    expect((rss() - settled) / 2).toBeLessThan(7 * 1024 * 1024);
  });
});

describe("shutdown", () => {
  test("SIGTERM during 100 waiting calls answers them all with 'call again' and exits 0 within 5 s", async () => {
    const server = await startHttp(tempDb());
    // 50 sessions with two waits each: 100 calls, under the 256 connections one Bun client opens.
    const clients = await Promise.all(Array.from({ length: 50 }, () => httpClient(server)));
    for (const [i, client] of clients.entries()) await ok(client, "join_room", { room_id: "stopping", display_name: `W${i}` });
    const waiting = async () => (await health(server)).waiting;
    const blocked = clients.flatMap((c) =>
      [0, 1].map(() => ok(c, "wait_for_message", { room_id: "stopping", after_seq: 1000, timeout: 120 })),
    );
    for (let i = 0; i < 100 && (await waiting()) < 100; i++) await Bun.sleep(20);
    expect(await waiting()).toBe(100);
    const [code, ms] = await elapsed(server.stop());
    expect(code).toBe(0);
    expect(ms).toBeLessThan(5_000);
    const answers = await Promise.all(blocked);
    for (const answer of answers) expect(answer).toEqual({ timeout: true, message: "No message received", seq: 1000 });
  });
});
