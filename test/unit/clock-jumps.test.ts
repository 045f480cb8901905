// The system clock jumps (NTP stepping it, a hand-set date, a VM resumed): presence and the queue
// must not take a jump for time passing (issue 19, #15). A day forward once made everyone look
// gone (a spurious partner_left); an hour back made an entry that had lapsed matchable again.
import { afterEach, describe, expect, setSystemTime, test } from "bun:test";
import { Chat } from "../../src/chat/chat.ts";
import { steadyClock } from "../../src/chat/clock.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming, type Timing } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";

afterEach(() => setSystemTime());

/** A chat with its own default clocks, as the server builds it. */
const newChat = (timing: Partial<Timing> = {}) =>
  new Chat({
    store: new ChatStore(openDatabase(":memory:")),
    doorbell: new LocalDoorbell(),
    timing: { ...defaultTiming, ...timing },
    limits: defaultLimits,
  });

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("a jump of the system clock", () => {
  test("a day forward: a partner who is there is not taken for gone", async () => {
    const chat = newChat();
    const alice = chat.establish(undefined, "Alice");
    const bob = chat.establish(undefined, "Bob");
    expect((await chat.enterQueue(alice, { timeoutSeconds: 0 })).status).toBe("waiting");
    const matched = await chat.enterQueue(bob, { timeoutSeconds: 0 });
    if (matched.status !== "matched") throw new Error("no match");
    const bobWaits = chat.waitForMessage(bob, matched.room_id, undefined, { timeoutSeconds: 0.3 });
    setSystemTime(new Date(Date.now() + DAY));
    chat.sweepPresence(); // what the server's timer runs
    expect(await bobWaits).toMatchObject({ kind: "timeout" });
    expect((await chat.send(bob, matched.room_id, "still there?")).seq).toBe(1);
    const got = await chat.waitForMessage(alice, matched.room_id, undefined, { timeoutSeconds: 0 });
    expect(got).toMatchObject({ kind: "message", message: "still there?" });
    // The time shown on messages is the system's, jump and all.
    expect(Date.parse((await chat.send(alice, matched.room_id, "yes")).sent_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  test("an hour back: a newcomer is not paired with someone whose entry lapsed", async () => {
    const chat = newChat({ queueGraceSeconds: 0.2 });
    const gone = chat.establish(undefined, "Gone");
    expect((await chat.enterQueue(gone, { timeoutSeconds: 0 })).status).toBe("waiting");
    await Bun.sleep(400); // the grace period passes: Gone's entry is no longer matchable
    setSystemTime(new Date(Date.now() - HOUR));
    const newcomer = chat.establish(undefined, "Newcomer");
    expect(await chat.enterQueue(newcomer, { timeoutSeconds: 0 })).toMatchObject({ status: "waiting", position: 1, queue_length: 1 });
  });
});

describe("the steady clock", () => {
  test("starts at the wall clock and then moves only as the monotonic clock does", () => {
    let wall = 1_000_000;
    let monotonic = 5;
    const now = steadyClock(
      () => wall,
      () => monotonic,
    );
    expect(now()).toBe(1_000_000);
    monotonic += 1_500;
    wall += DAY;
    expect(now()).toBe(1_001_500);
    wall -= 2 * DAY;
    monotonic += 0.4;
    expect(now()).toBe(1_001_500);
  });
});
