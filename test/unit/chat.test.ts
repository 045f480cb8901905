// The domain on its own: a real SQLite database (in memory, or a file that two connections share as two processes would), no MCP, no HTTP.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import type { Caller } from "../../src/chat/identity.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { SharedFileDoorbell } from "../../src/db/shared-file-doorbell.ts";
import { ChatStore } from "../../src/db/store.ts";

function newChat() {
  const doorbell = new LocalDoorbell();
  const chat = new Chat({ store: new ChatStore(openDatabase(":memory:")), doorbell, timing: defaultTiming, limits: defaultLimits });
  return { chat, doorbell };
}

/** A new chat with Alice, then Bob, in group room "r". */
function aliceAndBobInRoom() {
  const { chat, doorbell } = newChat();
  const alice = chat.establish(undefined, "Alice");
  const bob = chat.establish(undefined, "Bob");
  chat.joinRoom(alice, "r");
  chat.joinRoom(bob, "r");
  return { chat, doorbell, alice, bob };
}

describe("waiting leaves nothing behind", () => {
  test("after a message, a time-out, a cancellation and an error", async () => {
    const { chat, doorbell, alice, bob } = aliceAndBobInRoom();
    expect(await chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0 })).toMatchObject({ message: "Bob joined" });

    const byMessage = chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 5 });
    expect(doorbell.activeTopics).toBe(1);
    chat.send(bob, "r", "hi");
    expect((await byMessage).kind).toBe("message");
    expect(doorbell.activeTopics).toBe(0);

    expect((await chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0.01 })).kind).toBe("timeout");
    expect(doorbell.activeTopics).toBe(0);

    const controller = new AbortController();
    const cancelled = chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 5, signals: [controller.signal] });
    controller.abort();
    await cancelled;
    expect(doorbell.activeTopics).toBe(0);

    const failing = chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 5 });
    chat.leave(alice, "r"); // the waiter wakes and finds it is no longer a member
    await expect(failing).rejects.toThrow("Not in room");
    expect(doorbell.activeTopics).toBe(0);
    expect(chat.whoami(alice).waiting_calls).toBe(0);
  });

  test("an abort after the wait ended changes nothing", async () => {
    const { chat, doorbell, alice, bob } = aliceAndBobInRoom();
    const controller = new AbortController();
    expect(await chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 5, signals: [controller.signal] })).toMatchObject({
      message: "Bob joined",
    });
    const next = chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 5 });
    controller.abort(); // the first call's signal still has the ended wait's listener
    expect(doorbell.activeTopics).toBe(1);
    await chat.send(bob, "r", "after the abort");
    expect(await next).toMatchObject({ kind: "message", message: "after the abort" });
    expect(chat.whoami(alice).waiting_calls).toBe(0);
  });

  test("a thousand cancelled waits leave no listener and no waiting count", async () => {
    const { chat, doorbell } = newChat();
    const me = chat.establish(undefined, "Me");
    chat.joinRoom(me, "busy");
    for (let i = 0; i < 1000; i++) {
      const controller = new AbortController();
      const waiting = chat.waitForMessage(me, "busy", undefined, { timeoutSeconds: 60, signals: [controller.signal] });
      controller.abort();
      await waiting;
    }
    expect(doorbell.activeTopics).toBe(0);
    expect(chat.whoami(me).waiting_calls).toBe(0);
  });
});

describe("sends that share one commit", () => {
  test("a failing send undoes only itself; the others keep their seq, in order, with no gap", async () => {
    const { chat } = newChat();
    const member = chat.establish(undefined, "Member");
    const stranger = chat.establish(undefined, "Stranger");
    chat.joinRoom(member, "shared"); // "Member joined" is seq 1
    const sends = [
      chat.send(member, "shared", "first"),
      chat.send(stranger, "shared", "not allowed"),
      chat.send(member, "shared", "second"),
    ];
    const [first, refused, second] = await Promise.allSettled(sends);
    expect(first).toMatchObject({ status: "fulfilled", value: { seq: 2 } });
    expect(refused).toMatchObject({ status: "rejected", reason: { code: "not_in_room" } });
    expect(second).toMatchObject({ status: "fulfilled", value: { seq: 3 } });
    const page = chat.history(member, "shared", { limit: 10 });
    expect(page.messages.map((m) => m.message)).toEqual(["Member joined", "first", "second"]);
  });
});

describe("a ring's readers", () => {
  test("share the room and the message, yet each gets its own next message and unread count", async () => {
    const { chat } = newChat();
    const sender = chat.establish(undefined, "Sender");
    const [r1, r2, r3] = ["R1", "R2", "R3"].map((name) => chat.establish(undefined, name)) as [Caller, Caller, Caller];
    for (const member of [r1, r2, r3, sender]) chat.joinRoom(member, "ring");
    for (const reader of [r1, r2, r3]) chat.history(reader, "ring", { limit: 10 }); // all read
    const waits = [r1, r2, r3].map((reader) => chat.waitForMessage(reader, "ring", undefined, { timeoutSeconds: 2 }));
    // Four sends share one commit; the first ring finds all four stored.
    const sent = await Promise.all([
      chat.send(r3, "ring", "mine"),
      ...["one", "two", "three"].map((text) => chat.send(sender, "ring", text)),
    ]);
    const [got1, got2, got3] = await Promise.all(waits);
    expect(got1).toMatchObject({ kind: "message", message: "mine", seq: sent[0]!.seq, unread: 3 });
    expect(got2).toMatchObject({ kind: "message", message: "mine", seq: sent[0]!.seq, unread: 3 });
    // R3 skips its own message.
    expect(got3).toMatchObject({ kind: "message", message: "one", seq: sent[1]!.seq, unread: 2 });
    // The room's last message comes with unread 0.
    expect(await chat.waitForMessage(r1, "ring", sent[2]!.seq, { timeoutSeconds: 0 })).toMatchObject({ message: "three", unread: 0 });
  });
});

describe("the next message from someone else", () => {
  test("is found past any number of the reader's own, and there is none while only those follow", async () => {
    const { chat, alice, bob } = aliceAndBobInRoom();
    chat.history(alice, "r", { limit: 10 }); // read up to "Bob joined"
    // Runs of Alice's own messages shorter than, as long as, and longer than the steps taken by key.
    for (const run of [1, 3, 4, 5, 9]) {
      for (let i = 0; i < run; i++) await chat.send(alice, "r", `mine ${i}`);
      expect((await chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0 })).kind).toBe("timeout");
      const { seq } = await chat.send(bob, "r", `after ${run} of mine`);
      await chat.send(alice, "r", "mine, after it");
      const got = await chat.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0 });
      expect(got).toMatchObject({ kind: "message", message: `after ${run} of mine`, seq, unread: 0 });
    }
  });
});

describe("unread with another process on the file", () => {
  test("counts a message the other process committed between the room's read and the message's", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mcp-chat-unread-")), "chat.db");
    const [dbA, dbB] = [openDatabase(file), openDatabase(file)];
    const [storeA, storeB] = [new ChatStore(dbA), new ChatStore(dbB)];
    const processA = new Chat({
      store: storeA,
      doorbell: new SharedFileDoorbell(dbA.$client),
      timing: defaultTiming,
      limits: defaultLimits,
    });
    const processB = new Chat({
      store: storeB,
      doorbell: new SharedFileDoorbell(dbB.$client),
      timing: defaultTiming,
      limits: defaultLimits,
    });
    const alice = processA.establish(undefined, "Alice");
    const bob = processB.establish(undefined, "Bob");
    processA.joinRoom(alice, "r");
    processB.joinRoom(bob, "r");
    await processA.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0 }); // "Bob joined": all read
    // Process B commits two messages right after A's look reads the room (a fault injected around
    // the real read: the race is too narrow to hit by timing).
    const readRoom = storeA.room.bind(storeA);
    let reads = 0;
    storeA.room = (id: string) => {
      const room = readRoom(id);
      if (++reads === 2) {
        storeB.commits.durable(() => {
          for (const body of ["one", "two"]) {
            storeB.appendMessage({
              roomId: "r",
              senderId: bob.participant.id,
              senderName: "Bob",
              body,
              clientMsgId: null,
              createdAt: Date.now(),
            });
          }
        });
      }
      return room;
    };
    const got = await processA.waitForMessage(alice, "r", undefined, { timeoutSeconds: 0 });
    expect(got).toMatchObject({ message: "one", unread: 1 });
    dbA.$client.close();
    dbB.$client.close();
  });
});

describe("one participant waiting twice", () => {
  test("each message goes to exactly one of the waiting calls", async () => {
    const { chat } = newChat();
    const me = chat.establish(undefined, "Me");
    const other = chat.establish(undefined, "Other");
    chat.joinRoom(other, "twice");
    chat.joinRoom(me, "twice");
    const first = chat.waitForMessage(me, "twice", undefined, { timeoutSeconds: 2 });
    const second = chat.waitForMessage(me, "twice", undefined, { timeoutSeconds: 2 });
    chat.send(other, "twice", "one");
    chat.send(other, "twice", "two");
    const got = await Promise.all([first, second]);
    expect(got.map((r) => (r.kind === "message" ? r.message : "timeout")).sort()).toEqual(["one", "two"]);
  });
});

describe("the queue", () => {
  test("pairs waiting participants two by two, nobody twice", async () => {
    const { chat } = newChat();
    const people = Array.from({ length: 10 }, (_, i) => chat.establish(undefined, `P${i}`));
    const results = await Promise.all(people.map((p) => chat.enterQueue(p, { timeoutSeconds: 2 })));
    const rooms = new Map<string, number>();
    for (const result of results) {
      expect(result.status).toBe("matched");
      if (result.status === "matched") rooms.set(result.room_id, (rooms.get(result.room_id) ?? 0) + 1);
    }
    expect([...rooms.values()]).toEqual([2, 2, 2, 2, 2]);
  });

  test("a cancelled enter_queue is not matched afterwards", async () => {
    const { chat } = newChat();
    const gone = chat.establish(undefined, "Gone");
    const controller = new AbortController();
    const waiting = chat.enterQueue(gone, { timeoutSeconds: 5, signals: [controller.signal] });
    controller.abort();
    await waiting;
    const late = chat.establish(undefined, "Late");
    expect(await chat.enterQueue(late, { timeoutSeconds: 0 })).toMatchObject({ status: "waiting", position: 1, queue_length: 1 });
  });

  test("a timed-out entry stays matchable for the grace period, then lapses", async () => {
    let now = 1_000_000;
    const doorbell = new LocalDoorbell();
    const chat = new Chat({
      store: new ChatStore(openDatabase(":memory:")),
      doorbell,
      timing: defaultTiming,
      limits: defaultLimits,
      now: () => now,
    });
    const first = chat.establish(undefined, "First");
    expect((await chat.enterQueue(first, { timeoutSeconds: 0 })).status).toBe("waiting");
    now += (defaultTiming.queueGraceSeconds + 1) * 1000;
    const second = chat.establish(undefined, "Second");
    expect(await chat.enterQueue(second, { timeoutSeconds: 0 })).toMatchObject({ status: "waiting", position: 1 });
    now += 1000;
    const third = chat.establish(undefined, "Third");
    expect(await chat.enterQueue(third, { timeoutSeconds: 0 })).toMatchObject({ status: "matched", partner: "Second" });
  });
});

describe("presence", () => {
  test("a wait keeps its caller present until it ends, however coarsely calls are recorded", async () => {
    let now = 1_000_000;
    const store = new ChatStore(openDatabase(":memory:"));
    const chat = new Chat({
      store,
      doorbell: new LocalDoorbell(),
      timing: { ...defaultTiming, idleTimeoutSeconds: 10, maxWaitSeconds: 9.8 },
      limits: defaultLimits,
      now: () => now,
    });
    const me = chat.establish(undefined, "Me");
    chat.joinRoom(me, "r");
    now += 400; // an ordinary call this soon after the last one (a twentieth of the idle time-out) is not written down...
    // Touches are written at the end of the event loop's turn.
    const seen = async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return store.participant(me.participant.id)!.lastSeenAt;
    };
    chat.authenticate(me.clientId);
    expect(await seen()).toBe(now - 400);
    // ...but a 9.8 s wait would outlast the 10 s idle time-out counted from then, so it is.
    const stop = new AbortController();
    const waiting = chat.waitForMessage(me, "r", undefined, { timeoutSeconds: 9.8, signals: [stop.signal] });
    expect(await seen()).toBe(now);
    stop.abort();
    await waiting;
  });
});
