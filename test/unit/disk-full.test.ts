// A database that cannot grow (a full disk, simulated with SQLite's max_page_count), one that takes
// no writes (a read-only file: query_only), one deleted under the server: a send gets a clear error
// and no acknowledgement, reads and waits go on, and once the storage is back the retry goes
// through. Nothing acknowledged is lost (issue 19, disk trouble, #2 and #13).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";
import { call, ok } from "../tool-calls.ts";
import { startWatchedChat } from "./watched-chat.ts";

const chat = startWatchedChat();
afterAll(() => chat.close());
const pages = () => (chat.sqlite.query("PRAGMA page_count").get() as { page_count: number }).page_count;

describe("a full disk", () => {
  test("refuses sends with storage_unavailable, keeps reads and waits, and recovers by itself", async () => {
    const ann = await chat.connect("ann");
    const ben = await chat.connect("ben");
    await ok(ann, "join_room", { room_id: "disk", display_name: "Ann" });
    await ok(ben, "join_room", { room_id: "disk", display_name: "Ben" });
    chat.sqlite.run(`PRAGMA max_page_count = ${pages() + 6}`);

    const acked: number[] = [];
    let refusal: { isError: boolean; data: { code: string; error: string } } | undefined;
    for (let i = 1; i <= 100 && !refusal; i++) {
      const reply = await call(ann, "send_message", { room_id: "disk", message: `${i} ${"x".repeat(7_990)}`, client_msg_id: `m${i}` });
      if (reply.isError) refusal = reply;
      else acked.push(reply.data.seq);
    }
    expect(refusal?.data.code).toBe("storage_unavailable");
    expect(refusal?.data.error).toContain("disk is full");
    expect(acked.length).toBeGreaterThan(0);

    // Waits and reads go on: every acknowledged message, once, in order, and nothing else.
    const delivered: number[] = [];
    for (;;) {
      const got = await ok(ben, "wait_for_message", { room_id: "disk", timeout: 0 });
      if (got.timeout) break;
      delivered.push(got.seq);
    }
    expect(delivered).toEqual(acked);
    const history = await ok(ben, "get_messages", { room_id: "disk", limit: 200, after_seq: acked[0]! - 1 });
    expect(history.messages.map((m: { seq: number }) => m.seq)).toEqual(acked);

    // Room again: the same send, retried, goes through once.
    chat.sqlite.run("PRAGMA max_page_count = 1073741823");
    const failed = acked.length + 1;
    const retried = await ok(ann, "send_message", {
      room_id: "disk",
      message: `${failed} ${"x".repeat(7_990)}`,
      client_msg_id: `m${failed}`,
    });
    expect(retried.seq).toBe(acked.at(-1)! + 1);
    expect(await ok(ben, "wait_for_message", { room_id: "disk", timeout: 0 })).toMatchObject({ seq: retried.seq, unread: 0 });
  });

  test("sends that share a commit when the disk fills: each is stored and acknowledged, or neither", async () => {
    const [cat, dan] = [await chat.connect("cat"), await chat.connect("dan")];
    await ok(cat, "join_room", { room_id: "burst", display_name: "Cat" });
    await ok(dan, "join_room", { room_id: "burst", display_name: "Dan" });
    const burst = () =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call(cat, "send_message", { room_id: "burst", message: `${i} ${"y".repeat(7_990)}`, client_msg_id: `b${i}` }),
        ),
      );
    const storedSeqs = async () => {
      const history = await ok(dan, "get_messages", { room_id: "burst", limit: 200, after_seq: 0 });
      return history.messages.filter((m: { sender: string }) => m.sender === "Cat").map((m: { seq: number }) => m.seq);
    };
    chat.sqlite.run(`PRAGMA max_page_count = ${pages() + 5}`);
    const replies = await burst();
    chat.sqlite.run("PRAGMA max_page_count = 1073741823");
    expect([...new Set(replies.filter((r) => r.isError).map((r) => r.data.code))]).toEqual(["storage_unavailable"]);
    // SQLite undoes the whole shared commit on a full disk: whatever was acknowledged is stored, nothing else.
    const acked = replies.filter((r) => !r.isError).map((r) => r.data.seq as number);
    expect((await storedSeqs()).sort()).toEqual(acked.sort());
    // The retries go through, each message once.
    const retried = await burst();
    expect(retried.every((r) => !r.isError)).toBe(true);
    expect(await storedSeqs()).toHaveLength(12);
  });
});

describe("a database that takes no writes", () => {
  const cursorOf = (participantId: string, room: string) =>
    (
      chat.sqlite.query("SELECT read_seq FROM memberships WHERE room_id = ? AND participant_id = ?").get(room, participantId) as {
        read_seq: number;
      }
    ).read_seq;

  test("sends are refused; waits hand out each message once, reads go on, and the cursors reach the file later", async () => {
    const [eve, fay] = [await chat.connect("eve"), await chat.connect("fay")];
    await ok(eve, "join_room", { room_id: "ro", display_name: "Eve" });
    const fayId = (await ok(fay, "join_room", { room_id: "ro", display_name: "Fay" })).members.at(-1).sender_id;
    const seqs: number[] = [];
    for (const message of ["one", "two", "three"]) seqs.push((await ok(eve, "send_message", { room_id: "ro", message })).seq);
    const before = cursorOf(fayId, "ro");
    chat.sqlite.run("PRAGMA query_only = ON"); // what SQLite sees of a read-only file
    try {
      const refused = await call(eve, "send_message", { room_id: "ro", message: "four" });
      expect(refused.data).toMatchObject({ code: "storage_unavailable", error: expect.stringContaining("cannot be written") });
      expect(await ok(fay, "wait_for_message", { room_id: "ro", timeout: 0 })).toMatchObject({ message: "one", unread: 2 });
      expect(await ok(fay, "wait_for_message", { room_id: "ro", timeout: 0 })).toMatchObject({ message: "two", unread: 1 });
      expect((await ok(fay, "whoami")).rooms[0].unread).toBe(1);
      expect((await ok(fay, "get_messages", { room_id: "ro", limit: 2 })).messages.map((m: { message: string }) => m.message)).toEqual([
        "two",
        "three",
      ]);
      expect(cursorOf(fayId, "ro")).toBe(before); // nothing reached the file
    } finally {
      chat.sqlite.run("PRAGMA query_only = OFF");
    }
    // Writable again: the housekeeping writes what was kept, and a wait goes on from there.
    chat.domain.sweepPresence();
    expect(cursorOf(fayId, "ro")).toBe(seqs[2]!); // get_messages' page reached "three"
    expect(await ok(fay, "wait_for_message", { room_id: "ro", timeout: 0 })).toMatchObject({ timeout: true, seq: seqs[2] });
    expect((await ok(eve, "send_message", { room_id: "ro", message: "four" })).seq).toBe(seqs[2]! + 1);
  });
});

describe("a database file deleted under the server", () => {
  test("sends are refused instead of acknowledged into a file nobody will find, and reads go on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mcp-chat-deleted-"));
    try {
      const path = join(dir, "chat.db");
      const chat = new Chat({
        store: new ChatStore(openDatabase(path)),
        doorbell: new LocalDoorbell(),
        timing: defaultTiming,
        limits: defaultLimits,
      });
      const ann = chat.establish(undefined, "Ann");
      chat.joinRoom(ann, "r");
      expect((await chat.send(ann, "r", "before")).seq).toBe(2);
      for (const suffix of ["", "-wal", "-shm"]) unlinkSync(path + suffix);
      const refused = await chat.send(ann, "r", "after").catch((error) => error);
      expect(refused).toMatchObject({ code: "storage_unavailable", message: expect.stringContaining("deleted or moved") });
      expect(chat.history(ann, "r", { limit: 10 }).messages.map((m) => m.message)).toEqual(["Ann joined", "before"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
