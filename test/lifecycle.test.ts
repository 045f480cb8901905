// Leaving, cancelling, crashing and restarting: what a user sees when things end early.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { BINARY, call, cleanUp, elapsed, httpClient, ok, pairUp, startHttp, stdioClient, tempDb } from "./helpers.ts";
import { rawSession } from "./raw-http.ts";
import { TOOL_NAMES } from "./tool-calls.ts";

afterAll(cleanUp);

describe("leave_chat", () => {
  test("wakes the waiting partner with partner_left, after what is left has been read", async () => {
    const server = await startHttp(tempDb());
    const { alice, bob, roomId } = await pairUp(server);
    await ok(alice, "send_message", { room_id: roomId, message: "bye!" });
    const read = await ok(bob, "wait_for_message", { room_id: roomId });
    expect(read.message).toBe("bye!");
    const bobWaits = elapsed(call(bob, "wait_for_message", { room_id: roomId, timeout: 20 }));
    await Bun.sleep(200);
    expect(await ok(alice, "leave_chat", { room_id: roomId })).toEqual({ success: true });
    const [reply, ms] = await bobWaits;
    expect(reply).toEqual({ isError: true, data: { error: "Partner disconnected", code: "partner_left" } });
    expect(ms).toBeLessThan(5_000);
  });

  test("a message the partner sent before leaving is still delivered first", async () => {
    const server = await startHttp(tempDb());
    const { alice, bob, roomId } = await pairUp(server);
    await ok(alice, "send_message", { room_id: roomId, message: "last words" });
    await ok(alice, "leave_chat", { room_id: roomId });
    expect((await ok(bob, "wait_for_message", { room_id: roomId })).message).toBe("last words");
    expect((await call(bob, "wait_for_message", { room_id: roomId })).data.code).toBe("partner_left");
  });
});

describe("retries across a leave", () => {
  test("a retried send whose first try was stored gets its seq back even after the partner left", async () => {
    const server = await startHttp(tempDb());
    const { alice, bob, roomId } = await pairUp(server);
    const first = await ok(alice, "send_message", { room_id: roomId, message: "did it arrive?", client_msg_id: "m-1" });
    await ok(bob, "leave_chat", { room_id: roomId });
    expect(await ok(alice, "send_message", { room_id: roomId, message: "did it arrive?", client_msg_id: "m-1" })).toEqual(first);
    expect((await call(alice, "send_message", { room_id: roomId, message: "new", client_msg_id: "m-2" })).data.code).toBe("partner_left");
  });
});

describe("cancellation", () => {
  test("a cancelled wait leaves no waiter behind and moves no cursor", async () => {
    const server = await startHttp(tempDb());
    const { alice, bob, roomId } = await pairUp(server);
    const controller = new AbortController();
    const waiting = call(bob, "wait_for_message", { room_id: roomId, timeout: 60 }, { signal: controller.signal });
    await Bun.sleep(200);
    expect((await ok(bob, "whoami")).waiting_calls).toBe(1);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    await Bun.sleep(100);
    expect((await ok(bob, "whoami")).waiting_calls).toBe(0);
    // The message sent after the cancel goes to the next call, not to the cancelled one.
    await ok(alice, "send_message", { room_id: roomId, message: "after cancel" });
    expect((await ok(bob, "wait_for_message", { room_id: roomId })).message).toBe("after cancel");
  });

  test("a closed connection ends the wait it carried", async () => {
    const server = await startHttp(tempDb());
    const raw = await rawSession(server);
    await raw.call("join_room", { room_id: "hang-up", display_name: "Caller" });
    const controller = new AbortController();
    await raw.startCall("wait_for_message", { room_id: "hang-up", timeout: 60 }, controller.signal);
    expect((await raw.call("whoami", {})).waiting_calls).toBe(1);
    controller.abort();
    await Bun.sleep(300);
    expect((await raw.call("whoami", {})).waiting_calls).toBe(0);
  });

  test("a call the client gave up on (its own time-out cancels it) does not hold up a stop", async () => {
    const server = await startHttp(tempDb());
    const client = await httpClient(server);
    await ok(client, "join_room", { room_id: "impatient", display_name: "Impatient" });
    // The SDK client sends notifications/cancelled when its request time-out passes (60 s by default).
    await expect(call(client, "wait_for_message", { room_id: "impatient", timeout: 30 }, { timeout: 500 })).rejects.toThrow(/timed out/i);
    await Bun.sleep(300);
    expect((await ok(client, "whoami")).waiting_calls).toBe(0);
    // Nothing is being answered any more: the stop does not wait out its 3 s drain.
    const [code, ms] = await elapsed(server.stop());
    expect(code).toBe(0);
    expect(ms).toBeLessThan(1_500);
  });
});

describe("crash and restart", () => {
  test("kill -9 keeps history, identities and read cursors", async () => {
    const db = tempDb();
    const first = await startHttp(db);
    const { alice, bob, aliceMatch, bobMatch, roomId } = await pairUp(first);
    for (const text of ["one", "two", "three"]) await ok(alice, "send_message", { room_id: roomId, message: text });
    expect((await ok(bob, "wait_for_message", { room_id: roomId })).message).toBe("one");
    await first.kill9();

    const second = await startHttp(db);
    const bobAgain = await httpClient(second);
    const me = await ok(bobAgain, "whoami", { client_id: bobMatch.client_id });
    expect(me).toMatchObject({ sender: "Bob", sender_id: aliceMatch.partner_id, rooms: [{ room_id: roomId, unread: 2 }] });
    const next = await ok(bobAgain, "wait_for_message", { room_id: roomId, client_id: bobMatch.client_id });
    expect(next).toMatchObject({ message: "two", seq: 2, unread: 1 });
    const history = await ok(bobAgain, "get_messages", { room_id: roomId, client_id: bobMatch.client_id });
    expect(history.messages.map((m: { message: string }) => m.message)).toEqual(["one", "two", "three"]);
    // Alice's identity works again too: she can keep talking in the same room.
    const aliceAgain = await httpClient(second);
    expect(await ok(aliceAgain, "send_message", { room_id: roomId, message: "back", client_id: aliceMatch.client_id })).toMatchObject({
      seq: 4,
    });
  });

  test("kill -9 and a restart on the same port: 2025-era clients go on in their sessions, as the same participants", async () => {
    const db = tempDb();
    const first = await startHttp(db);
    const v1 = await httpClient(first, "one", "v1 client");
    const v2 = await httpClient(first, "two", "v2 client, default");
    await ok(v1, "join_room", { room_id: "restart", display_name: "One" });
    await ok(v2, "join_room", { room_id: "restart", display_name: "Two" });
    const ended = await rawSession(first);
    expect((await fetch(first.url, { method: "DELETE", headers: ended.headers() })).status).toBe(200);
    await first.kill9();

    const second = await startHttp(db, ["--port", first.url.port]);
    // No new client, no initialize, no client_id: the sessions and who they speak for are back.
    expect(await ok(v1, "send_message", { room_id: "restart", message: "still me" })).toMatchObject({ success: true });
    expect(await ok(v2, "wait_for_message", { room_id: "restart", timeout: 5 })).toMatchObject({ message: "still me", sender: "One" });
    expect(await ok(v2, "whoami")).toMatchObject({ sender: "Two" });
    // A session its client ended stays ended.
    const gone = await fetch(second.url, {
      method: "POST",
      headers: { ...ended.headers(), "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(gone.status).toBe(404);
  });

  test("SIGTERM stops the server with exit code 0", async () => {
    const server = await startHttp(tempDb());
    expect(await server.stop()).toBe(0);
  });
});

/** A JSON-RPC message as one line of `--stdio` input. */
const line = (message: object) => `${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`;
/** What every piped session starts with: initialize, then initialized. */
const pipedStart =
  line({
    id: 0,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "pipe", version: "1" } },
  }) + line({ method: "notifications/initialized" });
const pipedCall = (id: number, name: string, args: object) => line({ id, method: "tools/call", params: { name, arguments: args } });

/** Pipes `input` into `mcp-chat --stdio` on `db` and returns the messages it wrote; it must exit 0 at the end of stdin. */
async function pipeThrough(db: string, input: string): Promise<any[]> {
  const child = Bun.spawn([BINARY, "--stdio", "--db", db], { stdin: new Blob([input]), stdout: "pipe", stderr: "pipe" });
  const out = await new Response(child.stdout).text();
  expect(await child.exited).toBe(0);
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("stdio", () => {
  test("two --stdio processes on one database file are matched and talk", async () => {
    const db = tempDb();
    const alice = await stdioClient(db);
    const bob = await stdioClient(db);
    const queued = await ok(alice, "enter_queue", { display_name: "Alice", timeout: 0 });
    expect(queued).toMatchObject({ status: "waiting", position: 1, queue_length: 1 });
    const bobMatch = await ok(bob, "enter_queue", { display_name: "Bob", timeout: 0 });
    expect(bobMatch).toMatchObject({ status: "matched", partner: "Alice" });
    // Alice's next call picks up the match made by the other process.
    const aliceMatch = await ok(alice, "enter_queue", { display_name: "Alice", timeout: 0 });
    expect(aliceMatch).toMatchObject({ status: "matched", room_id: bobMatch.room_id, partner: "Bob" });

    await ok(alice, "send_message", { room_id: bobMatch.room_id, message: "across processes" });
    expect(await ok(bob, "wait_for_message", { room_id: bobMatch.room_id, timeout: 0 })).toMatchObject({
      message: "across processes",
      sender: "Alice",
      seq: 1,
    });
  });

  test("a request that reuses the id of one in flight gets a JSON-RPC error, and the first is still answered", async () => {
    const answered = await pipeThrough(
      tempDb(),
      pipedStart +
        pipedCall(1, "join_room", { room_id: "ids", display_name: "Ids" }) +
        pipedCall(2, "wait_for_message", { room_id: "ids", timeout: 5 }) +
        pipedCall(2, "whoami", {}),
    );
    const twos = answered.filter((m) => m.id === 2);
    expect(twos).toHaveLength(2);
    expect(twos.find((m) => m.error)?.error).toMatchObject({ code: -32600, message: expect.stringContaining("still in progress") });
    expect(twos.find((m) => m.result)?.result.structuredContent).toMatchObject({ timeout: true });
  });

  test("requests with malformed params are told what they lack, not given a dump of schema issues", async () => {
    const answered = await pipeThrough(
      tempDb(),
      line({ id: 5, method: "initialize" }) + pipedStart + line({ id: 6, method: "tools/list", params: { cursor: 5 } }),
    );
    expect(answered.find((m) => m.id === 5)?.error).toEqual({
      code: -32602,
      message: expect.stringContaining('initialize needs params {"protocolVersion"'),
    });
    expect(answered.find((m) => m.id === 0)?.result.serverInfo.name).toBe("mcp-chat");
    // Any request whose params break the SDK's schema: a sentence, not -32603 and a JSON dump.
    expect(answered.find((m) => m.id === 6)?.error).toEqual({
      code: -32602,
      message: "Invalid params for tools/list: params.cursor: Invalid input: expected string, received number",
    });
  });

  test("calls piped in before stdin ends are all answered, and a send is stored", async () => {
    const db = tempDb();
    const answered = await pipeThrough(
      db,
      pipedStart +
        pipedCall(1, "join_room", { room_id: "piped", display_name: "Pipe" }) +
        pipedCall(2, "send_message", { room_id: "piped", message: "hello" }),
    );
    expect(answered.map((m) => m.id).sort()).toEqual([0, 1, 2]);
    expect(answered.find((m) => m.id === 2).result.structuredContent).toMatchObject({ success: true, seq: 2 });
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.query("SELECT body FROM messages WHERE sender_id IS NOT NULL").all()).toEqual([{ body: "hello" }]);
    sqlite.close();
  });

  test("a send piped in just before a leave is stored before the leave", async () => {
    const db = tempDb();
    const answered = await pipeThrough(
      db,
      pipedStart +
        pipedCall(1, "join_room", { room_id: "piped", display_name: "Pipe" }) +
        pipedCall(2, "send_message", { room_id: "piped", message: "last words" }) +
        pipedCall(3, "leave_chat", { room_id: "piped" }),
    );
    expect(answered.find((m) => m.id === 2).result.structuredContent).toMatchObject({ success: true, seq: 2 });
    expect(answered.find((m) => m.id === 3).result.isError).toBeUndefined();
    const sqlite = new Database(db, { readonly: true });
    expect(sqlite.query("SELECT seq, body FROM messages WHERE room_id = 'piped' ORDER BY seq").all()).toEqual([
      { seq: 1, body: "Pipe joined" },
      { seq: 2, body: "last words" },
      { seq: 3, body: "Pipe left" },
    ]);
    sqlite.close();
  });

  test("a line that is not one JSON-RPC message gets a JSON-RPC error, and the server goes on", async () => {
    const input =
      pipedStart +
      "this is not json\n" +
      `${JSON.stringify({ id: 3, method: "ping" })}\n` + // no "jsonrpc": "2.0"
      `[${line({ id: 4, method: "ping" }).trim()}]\n` + // a batch
      line({ id: 5, method: "ping", params: { pad: "x".repeat(1_100_000) } }) + // over 1 MiB
      "\r\n" +
      line({ id: 6, method: "ping" });
    const replies = await pipeThrough(tempDb(), input);
    // The refusals go out at once, the answers of the SDK a moment later: compare in any order.
    const seen = replies.map((r) => JSON.stringify([r.id, r.error?.code ?? "ok"])).sort();
    const expected = [
      [0, "ok"],
      [null, -32700],
      [3, -32600],
      [null, -32600],
      [null, -32600],
      [6, "ok"],
    ];
    expect(seen).toEqual(expected.map((e) => JSON.stringify(e)).sort());
    expect(replies.some((r) => r.error?.message.includes("too large"))).toBe(true);
  });

  test("lists the same tools as HTTP", async () => {
    const stdio = await stdioClient(tempDb());
    const { tools } = await stdio.listTools();
    expect(tools.map((t) => t.name)).toEqual(TOOL_NAMES);
    for (const tool of tools) expect(tool.outputSchema?.type).toBe("object");
  });
});

describe("presence", () => {
  // A short idle time-out; waits must stay shorter than it.
  const idleArgs = ["--idle-timeout", "2", "--max-wait", "1"];

  test("a partner who makes no call for the idle time-out counts as gone, and comes back with any call", async () => {
    const server = await startHttp(tempDb(), idleArgs);
    const { alice, bob, roomId } = await pairUp(server);
    // Bob keeps listening (each wait is a call); Alice says nothing at all.
    const [outcome, ms] = await elapsed(
      (async () => {
        for (let i = 0; i < 10; i++) {
          const reply = await call(bob, "wait_for_message", { room_id: roomId, timeout: 1 });
          if (reply.isError) return reply.data;
        }
        return "still waiting";
      })(),
    );
    expect(outcome).toEqual({ error: "Partner disconnected", code: "partner_left" });
    expect(ms).toBeGreaterThan(1_500);
    expect(ms).toBeLessThan(5_000);
    expect((await call(bob, "send_message", { room_id: roomId, message: "hello?" })).data.code).toBe("partner_left");
    // Any call brings Alice back to the room, which is still open.
    expect((await ok(alice, "whoami")).rooms.map((r: { room_id: string }) => r.room_id)).toEqual([roomId]);
    expect(await ok(bob, "send_message", { room_id: roomId, message: "welcome back" })).toMatchObject({ success: true });
    expect((await ok(alice, "wait_for_message", { room_id: roomId, timeout: 1 })).message).toBe("welcome back");
  });

  test("an idle participant's queue entry is dropped: nobody is paired with them", async () => {
    const server = await startHttp(tempDb(), [...idleArgs, "--queue-grace", "10"]);
    const gone = await httpClient(server);
    expect(await ok(gone, "enter_queue", { display_name: "Gone", timeout: 0 })).toMatchObject({ status: "waiting" });
    await Bun.sleep(2_600);
    const fresh = await httpClient(server);
    expect(await ok(fresh, "enter_queue", { display_name: "Fresh", timeout: 0 })).toMatchObject({
      status: "waiting",
      position: 1,
      queue_length: 1,
    });
  });
});
