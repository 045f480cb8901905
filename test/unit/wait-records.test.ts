// Who is inside a wait: known in this process at once, written for other processes once a wait has
// lasted a second (most waits of a busy conversation end sooner and cost no write).
import { expect, test } from "bun:test";
import { ALL_ROOMS, WaitRecords } from "../../src/chat/wait-records.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";

function setUp() {
  const store = new ChatStore(openDatabase(":memory:"));
  store.insertParticipant({ id: "p_ann", tokenHash: "h", displayName: "Ann", createdAt: 0, lastSeenAt: 0 });
  let clock = 10_000;
  const records = new WaitRecords(store, () => clock, 1000);
  const written = () => {
    const { waitingUntil, waitingIn } = store.participant("p_ann")!;
    return { waitingUntil, waitingIn };
  };
  return { records, written, advance: (ms: number) => (clock += ms) };
}

test("a short wait is known here at once and never written", () => {
  const { records, written, advance } = setUp();
  records.began("p_ann", "lobby", 40_000);
  expect([records.waitingHere("p_ann"), records.waitingHere("p_ann", "lobby"), records.waitingHere("p_ann", "dev")]).toEqual([
    true,
    true,
    false,
  ]);
  advance(500);
  records.writeLasting();
  records.ended("p_ann", "lobby");
  expect(records.waitingHere("p_ann")).toBe(false);
  expect(written()).toEqual({ waitingUntil: null, waitingIn: null });
});

test("a wait that lasts a second is written for other processes, and its end too (at the end of the turn)", async () => {
  const { records, written, advance } = setUp();
  records.began("p_ann", ALL_ROOMS, 40_000);
  advance(1000);
  records.writeLasting();
  expect(written()).toEqual({ waitingUntil: 40_000, waitingIn: ALL_ROOMS });
  expect(records.waitingHere("p_ann", "any-room")).toBe(true);
  records.ended("p_ann", ALL_ROOMS);
  expect(records.waitingHere("p_ann")).toBe(false);
  await new Promise(setImmediate); // the ends of one turn share a commit
  expect(written()).toEqual({ waitingUntil: null, waitingIn: null });
});

test("with two waits, the record stays until the last ends; a stopping process clears what it wrote", () => {
  const { records, written, advance } = setUp();
  records.began("p_ann", "lobby", 30_000);
  records.began("p_ann", "dev", 50_000);
  advance(2000);
  records.writeLasting();
  expect(written()).toEqual({ waitingUntil: 50_000, waitingIn: "dev" });
  records.ended("p_ann", "lobby");
  expect(records.waitingHere("p_ann", "lobby")).toBe(false);
  expect(written().waitingIn).toBe("dev");
  records.clear();
  expect(written()).toEqual({ waitingUntil: null, waitingIn: null });
});
