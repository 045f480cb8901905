// Several processes on one SQLite file, as on a desktop where every MCP client starts its own
// `mcp-chat --stdio`: they match, talk and wake each other.
import { afterAll, describe, expect, test } from "bun:test";
import { cleanUp, elapsed, httpClient, ok, startHttp, stdioClient, tempDb } from "./helpers.ts";
import type { Client } from "./tool-calls.ts";

afterAll(cleanUp);

const MESSAGES_EACH_WAY = 200;

/** Sends `count` numbered messages while receiving `count` from the partner; returns what arrived. */
async function converse(me: Client, roomId: string, tag: string, count: number): Promise<string[]> {
  const sending = (async () => {
    for (let i = 0; i < count; i++) await ok(me, "send_message", { room_id: roomId, message: `${tag}-${i}` });
  })();
  const received: string[] = [];
  while (received.length < count) {
    const got = await ok(me, "wait_for_message", { room_id: roomId, timeout: 10 });
    if (got.timeout) throw new Error(`${tag} waited 10 s in vain after ${received.length} messages`);
    received.push(got.message);
  }
  await sending;
  return received;
}

describe("stdio processes sharing one database file", () => {
  test("four processes match in pairs and exchange 200 messages each way, none lost, doubled or reordered", async () => {
    const db = tempDb();
    // Agents talking 400 messages with no person: the loop guard (issue 18) would pause them at 50.
    const clients = await Promise.all([0, 1, 2, 3].map(() => stdioClient(db, ["--loop-guard", "0"])));
    const matches = await Promise.all(clients.map((c, i) => ok(c, "enter_queue", { display_name: `Agent${i}`, timeout: 20 })));
    const rooms = new Map<string, number[]>();
    matches.forEach((m, i) => {
      expect(m.status).toBe("matched");
      rooms.set(m.room_id, [...(rooms.get(m.room_id) ?? []), i]);
    });
    expect([...rooms.values()].map((members) => members.length)).toEqual([2, 2]);

    const conversations = clients.map((c, i) => converse(c, matches[i].room_id, `from${i}`, MESSAGES_EACH_WAY));
    const received = await Promise.all(conversations);
    for (const [, [a, b]] of rooms) {
      const expected = (from: number) => Array.from({ length: MESSAGES_EACH_WAY }, (_, k) => `from${from}-${k}`);
      expect(received[a!]).toEqual(expected(b!));
      expect(received[b!]).toEqual(expected(a!));
    }
  }, 60_000);

  test("a wait in one process wakes on a send from another", async () => {
    const db = tempDb();
    const alice = await stdioClient(db);
    const bob = await stdioClient(db);
    const joined = await ok(alice, "join_room", { room_id: "desk", display_name: "Alice" });
    await ok(bob, "join_room", { room_id: "desk", display_name: "Bob" });
    await ok(alice, "wait_for_message", { room_id: "desk" }); // "Bob joined"
    const waiting = elapsed(ok(alice, "wait_for_message", { room_id: "desk", timeout: 10 }));
    await Bun.sleep(300);
    await ok(bob, "send_message", { room_id: "desk", message: "ping" });
    const [got, ms] = await waiting;
    expect(got).toMatchObject({ message: "ping", sender: "Bob" });
    expect(ms).toBeLessThan(2_000);
    expect(joined.members).toHaveLength(1);
  });

  test("an HTTP server and a stdio process on one file talk both ways", async () => {
    const db = tempDb();
    const server = await startHttp(db);
    const web = await httpClient(server);
    const local = await stdioClient(db);
    await ok(web, "join_room", { room_id: "bridge", display_name: "Web" });
    await ok(local, "join_room", { room_id: "bridge", display_name: "Local" });
    expect((await ok(web, "wait_for_message", { room_id: "bridge", timeout: 5 })).message).toBe("Local joined");
    const webWaits = ok(web, "wait_for_message", { room_id: "bridge", timeout: 10 });
    await Bun.sleep(200);
    await ok(local, "send_message", { room_id: "bridge", message: "from stdio" });
    expect(await webWaits).toMatchObject({ message: "from stdio", sender: "Local" });
    const localWaits = ok(local, "wait_for_message", { room_id: "bridge", timeout: 10 });
    await Bun.sleep(200);
    await ok(web, "send_message", { room_id: "bridge", message: "from http" });
    expect(await localWaits).toMatchObject({ message: "from http", sender: "Web" });
  });
});

describe("--as NAME", () => {
  test("a restarted agent is the same participant, with its rooms and unread messages, without a client_id", async () => {
    const db = tempDb();
    const first = await stdioClient(db, ["--as", "planner"]);
    const before = await ok(first, "join_room", { room_id: "work", display_name: "planner" });
    await first.close();

    const other = await stdioClient(db, ["--as", "builder"]);
    await ok(other, "join_room", { room_id: "work", display_name: "builder" });
    await ok(other, "send_message", { room_id: "work", message: "step 1 done" });
    await ok(other, "send_message", { room_id: "work", message: "step 2 done" });

    const again = await stdioClient(db, ["--as", "planner"]);
    const me = await ok(again, "whoami"); // no client_id: the process knows who it is
    expect(me).toMatchObject({ sender: "planner", rooms: [{ room_id: "work", kind: "group", unread: 3 }] });
    expect(me.sender_id).toBe(before.members[0].sender_id);
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await ok(again, "wait_for_message", { room_id: "work", timeout: 0 })).message);
    expect(seen).toEqual(["builder joined", "step 1 done", "step 2 done"]);
  });

  test("two processes with the same name are one participant; each message reaches one of their waits", async () => {
    const db = tempDb();
    const twinA = await stdioClient(db, ["--as", "twin"]);
    const twinB = await stdioClient(db, ["--as", "twin"]);
    const a = await ok(twinA, "join_room", { room_id: "twins", display_name: "twin" });
    const b = await ok(twinB, "join_room", { room_id: "twins", display_name: "twin" });
    // One participant, and the secret stays out of both transcripts.
    const ids = (joined: { members: { sender_id: string }[] }) => joined.members.map((m) => m.sender_id);
    expect(ids(b)).toEqual(ids(a));
    expect(ids(b)).toHaveLength(1);
    expect([a.client_id, b.client_id]).toEqual([undefined, undefined]);
    const sender = await stdioClient(db);
    await ok(sender, "join_room", { room_id: "twins", display_name: "sender" });
    await ok(twinA, "wait_for_message", { room_id: "twins", timeout: 5 }); // "sender joined"
    const waits = [twinA, twinB].map((c) => ok(c, "wait_for_message", { room_id: "twins", timeout: 3 }));
    await Bun.sleep(200);
    await ok(sender, "send_message", { room_id: "twins", message: "only once" });
    const results = await Promise.all(waits);
    expect(results.filter((r) => r.message === "only once")).toHaveLength(1);
    expect(results.filter((r) => r.timeout === true)).toHaveLength(1);
  });
});
