// The rooms watch behind --channel, in the domain alone: what it tells, once, and what it leaves untouched.
import { describe, expect, test } from "bun:test";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import type { Caller } from "../../src/chat/identity.ts";
import type { RoomNews } from "../../src/chat/room-watch.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";

/** Ann and Bob in room "lobby"; Bob's rooms watched, each piece of news written down as a line. */
function bobWatched() {
  const doorbell = new LocalDoorbell();
  const chat = new Chat({ store: new ChatStore(openDatabase(":memory:")), doorbell, timing: defaultTiming, limits: defaultLimits });
  const ann = chat.establish(undefined, "Ann");
  const bob = chat.establish(undefined, "Bob");
  chat.joinRoom(bob, "lobby");
  chat.joinRoom(ann, "lobby");
  const told: string[] = [];
  const news: RoomNews = {
    message: (roomId, m) => told.push(`${roomId} #${m.seq} ${m.sender}: ${m.message}`),
    summary: (u) => told.push(`${u.room_id}: ${u.unread} unread${u.from.length > 0 ? ` from ${u.from.join(", ")}` : ""}`),
  };
  return { chat, doorbell, ann, bob, told, watch: () => chat.watchRooms(bob.clientId, news) };
}

/** The watch looks after the ring's turn. */
const settle = () => Bun.sleep(5);
const unreadIn = (chat: Chat, who: Caller, roomId: string) => chat.whoami(who).rooms.find((r) => r.room_id === roomId)?.unread;

describe("the rooms watch", () => {
  test("tells each new message from others once, not one's own, and moves no cursor", async () => {
    const { chat, ann, bob, told, watch } = bobWatched();
    // "Ann joined" is unread for Bob before the watch starts: a summary, not a line of its own.
    const bobsWatch = watch();
    bobsWatch.start();
    expect(told).toEqual(["lobby: 1 unread"]);
    told.length = 0;

    await chat.send(ann, "lobby", "hello");
    await chat.send(bob, "lobby", "mine");
    await chat.send(ann, "lobby", "again");
    await settle();
    expect(told).toEqual(["lobby #3 Ann: hello", "lobby #5 Ann: again"]);
    expect(unreadIn(chat, bob, "lobby")).toBe(3);

    // More rings with nothing new tell nothing again.
    bobsWatch.refresh();
    await chat.send(bob, "lobby", "mine too");
    await settle();
    expect(told).toHaveLength(2);

    // Bob still reads every message, from the first unread one.
    expect(await chat.waitForMessage(bob, "lobby", undefined, { timeoutSeconds: 0 })).toMatchObject({ message: "Ann joined" });
    expect(await chat.waitForMessage(bob, "lobby", undefined, { timeoutSeconds: 0 })).toMatchObject({ message: "hello" });
    bobsWatch.stop();
  });

  test("a burst is told ten at a time, the rest in one summary", async () => {
    const { chat, ann, told, watch } = bobWatched();
    const bobsWatch = watch();
    bobsWatch.start();
    told.length = 0;
    await Promise.all(Array.from({ length: 14 }, (_, i) => chat.send(ann, "lobby", `m${i}`)));
    await settle();
    expect(told.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `lobby #${i + 3} Ann: m${i}`));
    expect(told.slice(10)).toEqual(["lobby: 4 unread from Ann"]);
    bobsWatch.stop();
  });

  test("a message a waiting call of the agent takes on the same ring is not told", async () => {
    const { chat, ann, bob, told, watch } = bobWatched();
    await chat.waitForMessage(bob, "lobby", undefined, { timeoutSeconds: 0 }); // "Ann joined"
    const bobsWatch = watch();
    bobsWatch.start();
    const waiting = chat.waitForMessage(bob, "lobby", undefined, { timeoutSeconds: 5 });
    await chat.send(ann, "lobby", "for the waiter");
    expect(await waiting).toMatchObject({ message: "for the waiter" });
    await settle();
    expect(told).toEqual([]);
    bobsWatch.stop();
  });

  test("follows the rooms joined and left after the start", async () => {
    const { chat, doorbell, ann, bob, told, watch } = bobWatched();
    const bobsWatch = watch();
    bobsWatch.start();
    told.length = 0;
    chat.joinRoom(bob, "side");
    bobsWatch.refresh(); // what a tool call that joins a room does
    chat.joinRoom(ann, "side");
    await chat.send(ann, "side", "over here");
    await settle();
    expect(told).toEqual(["side #2 system: Ann joined", "side #3 Ann: over here"]);

    chat.leave(bob, "side");
    await settle();
    const topics = doorbell.activeTopics;
    await chat.send(ann, "side", "gone?");
    await settle();
    expect(told).toHaveLength(2);
    expect(topics).toBe(2); // the queue and the lobby
    bobsWatch.stop();
  });

  test("watches the pair room a match opens, with no tool call to say so", async () => {
    const { chat, ann, bob, told, watch } = bobWatched();
    const bobsWatch = watch();
    bobsWatch.start();
    told.length = 0;
    const bobQueued = chat.enterQueue(bob, { timeoutSeconds: 5 });
    const match = await chat.enterQueue(ann, { timeoutSeconds: 5 });
    if (match.status !== "matched") throw new Error(`expected a match: ${JSON.stringify(match)}`);
    await bobQueued;
    await settle();
    await chat.send(ann, match.room_id, "hi partner");
    await settle();
    expect(told).toEqual([`${match.room_id} #1 Ann: hi partner`]);
    bobsWatch.stop();
  });

  test("stop leaves no listener and tells nothing more", async () => {
    const { chat, doorbell, ann, told, watch } = bobWatched();
    expect(doorbell.activeTopics).toBe(0);
    const bobsWatch = watch();
    bobsWatch.start();
    expect(doorbell.activeTopics).toBe(2);
    await chat.send(ann, "lobby", "ring");
    bobsWatch.stop(); // before the look the ring asked for
    await settle();
    expect(doorbell.activeTopics).toBe(0);
    expect(told).toEqual(["lobby: 1 unread"]);
  });
});
