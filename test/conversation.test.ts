// The seed's conversation and the contract's delivery promises, over Streamable HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cleanUp, elapsed, httpClient, ok, pairUp, type RunningServer, startHttp, tempDb } from "./helpers.ts";

afterAll(cleanUp);

let server: RunningServer;
beforeAll(async () => {
  server = await startHttp(tempDb(), ["--max-wait", "30"]);
});

describe("Alice and Bob", () => {
  test("are matched by the queue and talk in turns", async () => {
    const { alice, bob, aliceMatch, bobMatch, roomId } = await pairUp(server);
    expect(aliceMatch).toMatchObject({ status: "matched", room_id: roomId, partner: "Bob" });
    expect(bobMatch).toMatchObject({ status: "matched", partner: "Alice" });
    expect(aliceMatch.partner_id).not.toBe(bobMatch.partner_id);
    expect(aliceMatch.client_id).not.toBe(bobMatch.client_id);
    // Public ids are not the secret tokens.
    expect(aliceMatch.partner_id).not.toBe(bobMatch.client_id);
    expect(bobMatch.partner_id).not.toBe(aliceMatch.client_id);

    const hello = await ok(alice, "send_message", { room_id: roomId, message: "Hello Bob!" });
    expect(hello).toMatchObject({ success: true, seq: 1 });
    expect(Date.parse(hello.sent_at)).not.toBeNaN();

    const got = await ok(bob, "wait_for_message", { room_id: roomId });
    expect(got).toMatchObject({ message: "Hello Bob!", sender: "Alice", sender_id: bobMatch.partner_id, seq: 1, unread: 0 });

    // Alice blocks first; Bob's send wakes her.
    const aliceWaits = elapsed(ok(alice, "wait_for_message", { room_id: roomId, timeout: 20 }));
    await Bun.sleep(200);
    await ok(bob, "send_message", { room_id: roomId, message: "Hi Alice!" });
    const [reply, ms] = await aliceWaits;
    expect(reply).toMatchObject({ message: "Hi Alice!", sender: "Bob", seq: 2, unread: 0 });
    expect(ms).toBeLessThan(5_000);
  });
});

describe("delivery", () => {
  test("a message sent while nobody waits is returned by the next call", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    await ok(alice, "send_message", { room_id: roomId, message: "are you there?" });
    await Bun.sleep(100);
    const got = await ok(bob, "wait_for_message", { room_id: roomId, timeout: 0 });
    expect(got.message).toBe("are you there?");
  });

  test("a burst arrives in order, with unread counting down", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    for (let i = 1; i <= 5; i++) await ok(alice, "send_message", { room_id: roomId, message: `m${i}` });
    const seen = [];
    for (let i = 1; i <= 5; i++) seen.push(await ok(bob, "wait_for_message", { room_id: roomId }));
    expect(seen.map((m) => m.message)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(seen.map((m) => m.unread)).toEqual([4, 3, 2, 1, 0]);
    expect(seen.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  test("the caller's own messages are skipped, and seq has no gaps", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    await ok(bob, "send_message", { room_id: roomId, message: "mine" });
    await ok(alice, "send_message", { room_id: roomId, message: "theirs" });
    const got = await ok(bob, "wait_for_message", { room_id: roomId });
    expect(got).toMatchObject({ message: "theirs", seq: 2, unread: 0 });
  });

  test("after_seq re-reads a message whose reply was lost", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    await ok(alice, "send_message", { room_id: roomId, message: "one" });
    await ok(alice, "send_message", { room_id: roomId, message: "two" });
    await ok(bob, "wait_for_message", { room_id: roomId });
    await ok(bob, "wait_for_message", { room_id: roomId });
    const again = await ok(bob, "wait_for_message", { room_id: roomId, after_seq: 0 });
    expect(again).toMatchObject({ message: "one", seq: 1, unread: 1 });
    // Re-reading does not move the cursor back: the next plain call waits for something new.
    const next = await ok(bob, "wait_for_message", { room_id: roomId, timeout: 0 });
    expect(next).toEqual({ timeout: true, message: "No message received", seq: 2 });
  });

  test("a retried client_msg_id is stored once", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    const first = await ok(alice, "send_message", { room_id: roomId, message: "once", client_msg_id: "k-1" });
    const retry = await ok(alice, "send_message", { room_id: roomId, message: "once", client_msg_id: "k-1" });
    expect(retry).toEqual(first);
    const other = await ok(alice, "send_message", { room_id: roomId, message: "twice", client_msg_id: "k-2" });
    expect(other.seq).toBe(first.seq + 1);
    const history = await ok(bob, "get_messages", { room_id: roomId });
    expect(history.messages.map((m: { message: string }) => m.message)).toEqual(["once", "twice"]);
  });

  test("a wait that times out says so, with the cursor it used", async () => {
    const { bob, roomId } = await pairUp(server);
    const [result, ms] = await elapsed(ok(bob, "wait_for_message", { room_id: roomId, timeout: 1 }));
    expect(result).toEqual({ timeout: true, message: "No message received", seq: 0 });
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3_000);
  });

  test("a timeout above the cap is clamped to the cap", async () => {
    const capped = await startHttp(tempDb(), ["--max-wait", "1"]);
    const { bob, roomId } = await pairUp(capped);
    const [result, ms] = await elapsed(ok(bob, "wait_for_message", { room_id: roomId, timeout: 3600 }));
    expect(result.timeout).toBe(true);
    expect(ms).toBeLessThan(3_000);
  });
});

describe("get_messages", () => {
  test("pages back and forth, oldest first, own messages included", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    for (let i = 1; i <= 7; i++) await ok(i % 2 ? alice : bob, "send_message", { room_id: roomId, message: `m${i}` });
    const newest = await ok(bob, "get_messages", { room_id: roomId, limit: 3 });
    expect(newest.messages.map((m: { seq: number }) => m.seq)).toEqual([5, 6, 7]);
    expect(newest.has_more).toBe(true);
    expect(newest.messages[0]).toMatchObject({ seq: 5, sender: "Alice", message: "m5" });
    const older = await ok(bob, "get_messages", { room_id: roomId, limit: 3, before_seq: 5 });
    expect(older.messages.map((m: { seq: number }) => m.seq)).toEqual([2, 3, 4]);
    expect(older.has_more).toBe(true);
    const oldest = await ok(bob, "get_messages", { room_id: roomId, limit: 3, before_seq: 2 });
    expect(oldest).toMatchObject({ has_more: false });
    expect(oldest.messages.map((m: { seq: number }) => m.seq)).toEqual([1]);
    const forward = await ok(bob, "get_messages", { room_id: roomId, after_seq: 5 });
    expect(forward.messages.map((m: { seq: number }) => m.seq)).toEqual([6, 7]);
    expect(forward.has_more).toBe(false);
  });

  test("moves the read cursor only when the page skips nothing unread", async () => {
    const { alice, bob, roomId } = await pairUp(server);
    for (let i = 1; i <= 4; i++) await ok(alice, "send_message", { room_id: roomId, message: `m${i}` });
    // A page ahead of the first unread message leaves the cursor alone...
    await ok(bob, "get_messages", { room_id: roomId, after_seq: 2 });
    expect((await ok(bob, "wait_for_message", { room_id: roomId })).seq).toBe(1);
    // ...a page that starts at or before it moves the cursor to the page's end.
    await ok(bob, "get_messages", { room_id: roomId, after_seq: 1, limit: 2 });
    expect((await ok(bob, "wait_for_message", { room_id: roomId })).seq).toBe(4);
  });
});

describe("identity", () => {
  test("client_id brings a participant back on a new connection, with rooms and unread", async () => {
    const { bob, aliceMatch, bobMatch, roomId } = await pairUp(server);
    await ok(bob, "send_message", { room_id: roomId, message: "for later" });
    const again = await httpClient(server);
    const me = await ok(again, "whoami", { client_id: aliceMatch.client_id });
    expect(me).toMatchObject({ sender: "Alice", rooms: [{ room_id: roomId, kind: "pair", unread: 1 }] });
    expect(me.rooms[0].members.map((m: { sender: string }) => m.sender).sort()).toEqual(["Alice", "Bob"]);
    const got = await ok(again, "wait_for_message", { room_id: roomId, client_id: aliceMatch.client_id });
    expect(got.message).toBe("for later");
    expect(me.sender_id).toBe(bobMatch.partner_id);
  });

  test("a new display name renames the participant", async () => {
    const client = await httpClient(server);
    const joined = await ok(client, "join_room", { room_id: "rename-room", display_name: "Old" });
    await ok(client, "join_room", { room_id: "rename-room", display_name: "  New  ", client_id: joined.client_id });
    expect((await ok(client, "whoami")).sender).toBe("New");
  });
});

describe("group rooms", () => {
  test("members see what is said after they join, and notices of joins and leaves", async () => {
    const a = await httpClient(server);
    const b = await httpClient(server);
    const first = await ok(a, "join_room", { room_id: "lobby", display_name: "Ann" });
    expect(first.members).toEqual([
      { sender: "Ann", sender_id: expect.stringMatching(/^p_/), state: "active", last_seen: expect.stringMatching(/^20\d\d-/) },
    ]);
    await ok(a, "send_message", { room_id: "lobby", message: "before Ben" });
    const second = await ok(b, "join_room", { room_id: "lobby", display_name: "Ben" });
    expect(second.members.map((m: { sender: string }) => m.sender)).toEqual(["Ann", "Ben"]);
    // Ben's cursor starts at the end: the first wait returns nothing old.
    expect((await ok(b, "wait_for_message", { room_id: "lobby", timeout: 0 })).timeout).toBe(true);
    // History still shows what came before.
    const history = await ok(b, "get_messages", { room_id: "lobby" });
    expect(history.messages.map((m: { message: string }) => m.message)).toContain("before Ben");
    expect(await ok(a, "wait_for_message", { room_id: "lobby" })).toMatchObject({ message: "Ben joined", sender_id: "system" });
    await ok(b, "leave_chat", { room_id: "lobby" });
    expect(await ok(a, "wait_for_message", { room_id: "lobby" })).toMatchObject({ message: "Ben left", sender_id: "system" });
  });
});

describe("the queue", () => {
  test("of two blocked enter_queue calls of one participant, one takes the match and the other stays in line", async () => {
    const own = await startHttp(tempDb());
    const first = await httpClient(own, "a1");
    const second = await httpClient(own, "a2");
    const bob = await httpClient(own, "bob");
    const carol = await httpClient(own, "carol");
    const { client_id } = await ok(first, "enter_queue", { display_name: "Alice", timeout: 0 });
    const calls = [first, second].map((client) => ok(client, "enter_queue", { display_name: "Alice", client_id, timeout: 20 }));
    await Bun.sleep(200);
    const bobMatch = await ok(bob, "enter_queue", { display_name: "Bob", timeout: 5 });
    expect(bobMatch).toMatchObject({ status: "matched", partner: "Alice" });
    // Alice's other call is still in line: the next newcomer is paired with her at once.
    const [carolMatch, ms] = await elapsed(ok(carol, "enter_queue", { display_name: "Carol", timeout: 5 }));
    expect(carolMatch).toMatchObject({ status: "matched", partner: "Alice" });
    expect(ms).toBeLessThan(2_000);
    const rooms = (await Promise.all(calls)).map((r) => r.room_id).sort();
    expect(rooms).toEqual([bobMatch.room_id, carolMatch.room_id].sort());
  }, 30_000);
});
