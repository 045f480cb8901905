// Issue 18 through the binary: agents that live in rooms, over HTTP and stdio, across processes
// and restarts. The finer rules are tested in process (test/unit/agents.test.ts).
import { afterAll, describe, expect, test } from "bun:test";
import { BINARY, call, cleanUp, httpClient, ok, startHttp, stdioClient, tempDb } from "./helpers.ts";
import type { Client } from "./tool-calls.ts";

afterAll(cleanUp);

/** What `read` gives once `done` holds of it, looking every 50 ms for up to 5 s (the last reading if never). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 100 && !done(value); i++) {
    await Bun.sleep(50);
    value = await read();
  }
  return value;
}

const messagesOf = (page: { messages: { message: string }[] }) => page.messages.map((m) => m.message);

describe("one wait for every room", () => {
  test("a wait without room_id over three rooms is woken by any of them, from another process too", async () => {
    const db = tempDb();
    const server = await startHttp(db);
    const ann = await httpClient(server, "ann", "v2 client, pinned to 2026-07-28");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "r1", display_name: "Ann" });
    for (const room of ["r2", "r3"]) await ok(ann, "join_room", { room_id: room, display_name: "Ann", client_id: annId });
    const bob = await stdioClient(db, ["--as", "Bob"]);
    const ben = await httpClient(server, "ben");
    for (const room of ["r1", "r2", "r3"]) {
      await ok(bob, "join_room", { room_id: room, display_name: "Bob" });
      await ok(ben, "join_room", { room_id: room, display_name: "Ben" });
    }
    for (const room of ["r1", "r2", "r3"]) await ok(ann, "get_messages", { room_id: room, client_id: annId });

    for (const [sender, room] of [
      [bob, "r2"],
      [ben, "r3"],
      [bob, "r1"],
    ] as [Client, string][]) {
      const waiting = ok(ann, "wait_for_message", { client_id: annId, timeout: 10 });
      await Bun.sleep(100);
      await ok(sender, "send_message", { room_id: room, message: `news in ${room}` });
      expect(await waiting).toMatchObject({ room_id: room, message: `news in ${room}`, unread: 0, untrusted: true });
    }
  });
});

describe("batches under kill -9", () => {
  test("max_messages moves the cursor past exactly what it returned: across kills, nothing lost or doubled", async () => {
    const db = tempDb();
    let server = await startHttp(db, ["--loop-guard", "0"]);
    let ann = await httpClient(server, "ann");
    const bob = await httpClient(server, "bob");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "batch", display_name: "Ann" });
    const { client_id: bobId } = await ok(bob, "join_room", { room_id: "batch", display_name: "Bob" });
    await ok(ann, "get_messages", { room_id: "batch", client_id: annId }); // "Bob joined" read
    for (let i = 1; i <= 40; i++) await ok(bob, "send_message", { room_id: "batch", message: `m${i}`, client_id: bobId });

    const received: string[] = [];
    for (let round = 0; received.length < 40 && round < 20; round++) {
      const batch = await ok(ann, "wait_for_message", { room_id: "batch", client_id: annId, max_messages: 7, timeout: 0 });
      if (batch.timeout) break;
      received.push(...batch.messages.map((m: { message: string }) => m.message));
      expect(batch.unread).toBe(40 - received.length);
      if (round % 2 === 0) {
        await server.kill9();
        server = await startHttp(db, ["--loop-guard", "0"]);
        ann = await httpClient(server, "ann");
      }
    }
    expect(received).toEqual(Array.from({ length: 40 }, (_, i) => `m${i + 1}`));
  });
});

describe("mentions, handles and direct rooms", () => {
  test("@handle mentions reach a mentions_only wait; handles outlive a restart and open a direct room", async () => {
    const db = tempDb();
    let server = await startHttp(db);
    const ann = await httpClient(server, "ann");
    const bob = await httpClient(server, "bob");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "team", display_name: "Ann" });
    const { client_id: bobId } = await ok(bob, "join_room", { room_id: "team", display_name: "Bob" });
    await ok(bob, "claim_handle", { handle: "bob", client_id: bobId });
    await ok(bob, "get_messages", { room_id: "team", client_id: bobId });

    const heard = ok(bob, "wait_for_message", { room_id: "team", client_id: bobId, mentions_only: true, timeout: 10 });
    await Bun.sleep(100);
    await ok(ann, "send_message", { room_id: "team", message: "chatter", client_id: annId });
    await ok(ann, "send_message", { room_id: "team", message: "@bob please review", client_id: annId });
    expect(await heard).toMatchObject({ message: "@bob please review", mentions_you: true, skipped: 1 });

    await server.stop();
    server = await startHttp(db);
    const annAgain = await httpClient(server, "ann");
    const bobAgain = await httpClient(server, "bob");
    expect(await ok(bobAgain, "whoami", { client_id: bobId })).toMatchObject({ sender: "Bob", handle: "bob" });
    const taken = await call(annAgain, "claim_handle", { handle: "Bob", client_id: annId });
    expect([taken.isError, taken.data.code]).toEqual([true, "handle_taken"]);
    const direct = await ok(annAgain, "open_direct", { handle: "@bob", client_id: annId });
    expect(direct.room_id).toMatch(/^dm-/);
    await ok(annAgain, "send_message", { room_id: direct.room_id, message: "just between us", client_id: annId });
    const dm = await ok(bobAgain, "wait_for_message", { client_id: bobId, timeout: 5 });
    expect(dm).toMatchObject({ room_id: direct.room_id, message: "just between us", sender: "Ann" });
    expect((await ok(bobAgain, "whoami", { client_id: bobId })).rooms.map((r: { kind: string }) => r.kind)).toEqual(["group", "direct"]);
  });
});

describe("receipts and presence", () => {
  test("a sender sees who waits, who has read, and waits until everyone has: across two processes", async () => {
    const db = tempDb();
    const server = await startHttp(db);
    const ann = await httpClient(server, "ann");
    const bob = await httpClient(server, "bob");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "desk", display_name: "Ann" });
    const { client_id: bobId } = await ok(bob, "join_room", { room_id: "desk", display_name: "Bob" });
    const cy = await stdioClient(db, ["--as", "Cy"]);
    await ok(cy, "join_room", { room_id: "desk", display_name: "Cy" });
    await ok(bob, "get_messages", { room_id: "desk", client_id: bobId });

    const state = async () =>
      Object.fromEntries(
        (await ok(ann, "room_info", { room_id: "desk", client_id: annId })).members.map((m: { sender: string; state: string }) => [
          m.sender,
          m.state,
        ]),
      );
    const bobWaits = ok(bob, "wait_for_message", { room_id: "desk", client_id: bobId, timeout: 10 });
    expect(await eventually(state, (s) => s.Bob === "waiting")).toEqual({ Ann: "active", Bob: "waiting", Cy: "active" });

    const sent = await ok(ann, "send_message", { room_id: "desk", message: "ready?", client_id: annId });
    expect(sent.waiting).toEqual([{ sender: "Bob", sender_id: expect.stringMatching(/^p_/) }]);
    expect(await bobWaits).toMatchObject({ message: "ready?" });
    expect((await eventually(state, (s) => s.Bob !== "waiting")).Bob).toBe("active");

    const receipt = ok(ann, "wait_for_message", { room_id: "desk", client_id: annId, until: "read", timeout: 10 });
    await Bun.sleep(200);
    const page = await ok(ann, "get_messages", { room_id: "desk", client_id: annId });
    expect(page.messages.at(-1)).toMatchObject({ message: "ready?", read_by: ["Bob"] });
    // Cy reads in another process: the receipt comes through the shared file.
    expect(messagesOf(await ok(cy, "get_messages", { room_id: "desk" }))).toContain("ready?");
    const done = await receipt;
    expect(done).toMatchObject({ read: true, seq: sent.seq });
    expect(done.read_by.map((m: { sender: string }) => m.sender).sort()).toEqual(["Bob", "Cy"]);
  });
});

describe("the loop guard", () => {
  test("two scripted agents pause their room; a person's mcp-chat say resumes it; an operator sets a room's own guard", async () => {
    const db = tempDb();
    const server = await startHttp(db, ["--loop-guard", "6"]);
    const ann = await httpClient(server, "ann");
    const bob = await httpClient(server, "bob");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "loop", display_name: "Ann" });
    const { client_id: bobId } = await ok(bob, "join_room", { room_id: "loop", display_name: "Bob" });
    let refusal: { code: string; error: string } | undefined;
    let sent = 0;
    for (let i = 0; i < 20 && !refusal; i++) {
      const [who, id] = i % 2 === 0 ? [ann, annId] : [bob, bobId];
      const reply = await call(who, "send_message", { room_id: "loop", message: `ping ${i}`, client_id: id });
      if (reply.isError) refusal = reply.data;
      else sent++;
    }
    expect(sent).toBe(6);
    expect(refusal).toMatchObject({ code: "room_paused", error: expect.stringContaining("mcp-chat say loop") });

    // A person at the keyboard, on the same file: say marks them a person, and their message resumes the room.
    const say = Bun.spawn([BINARY, "say", "loop", "Enough, you two.", "--as", "Pat", "--db", db], { stdout: "pipe", stderr: "pipe" });
    expect(await say.exited).toBe(0);
    expect(await ok(ann, "send_message", { room_id: "loop", message: "sorry", client_id: annId })).toMatchObject({ success: true });
    const said = messagesOf(await ok(bob, "get_messages", { room_id: "loop", client_id: bobId }));
    expect(said.slice(-4)).toEqual(["Pat joined", "Enough, you two.", "Resumed by Pat", "sorry"]);

    // The operator gives the room a guard of its own, read by the running server at the next send.
    const set = Bun.spawn([BINARY, "loop-guard", "loop", "2", "--db", db], { stdout: "pipe", stderr: "pipe" });
    expect(await set.exited).toBe(0);
    expect(await new Response(set.stdout).text()).toBe("room loop: loop guard 2 messages in a row from agents\n");
    expect((await call(bob, "send_message", { room_id: "loop", message: "one", client_id: bobId })).isError).toBe(false);
    expect((await call(ann, "send_message", { room_id: "loop", message: "two", client_id: annId })).data.code).toBe("room_paused");
    const missing = Bun.spawn([BINARY, "loop-guard", "nowhere", "2", "--db", db], { stdout: "pipe", stderr: "pipe" });
    expect(await missing.exited).toBe(1);
    expect(await new Response(missing.stderr).text()).toContain('there is no room "nowhere"');
  });
});

describe("presence across processes", () => {
  test("a wait in another process on the file shows as waiting once it has lasted a second, and ends with it", async () => {
    const db = tempDb();
    const server = await startHttp(db);
    const ann = await httpClient(server, "ann");
    const { client_id: annId } = await ok(ann, "join_room", { room_id: "far", display_name: "Ann" });
    const cy = await stdioClient(db, ["--as", "Cy"]);
    await ok(cy, "join_room", { room_id: "far", display_name: "Cy" });
    await ok(cy, "get_messages", { room_id: "far" });
    const cyState = async () =>
      (await ok(ann, "room_info", { room_id: "far", client_id: annId })).members.find((m: { sender: string }) => m.sender === "Cy").state;

    const cyWaits = ok(cy, "wait_for_message", { timeout: 20 }); // on all Cy's rooms
    expect(await eventually(cyState, (state) => state === "waiting")).toBe("waiting");
    const sent = await ok(ann, "send_message", { room_id: "far", message: "are you there?", client_id: annId });
    expect(sent.waiting.map((m: { sender: string }) => m.sender)).toEqual(["Cy"]);
    expect(await cyWaits).toMatchObject({ room_id: "far", message: "are you there?" });
    expect(await eventually(cyState, (state) => state !== "waiting")).toBe("active");
  });
});
