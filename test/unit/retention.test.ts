// --retention: old messages go, young ones stay, and rooms with no message and nobody in them go.
import { expect, test } from "bun:test";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { pruneOlderThan } from "../../src/db/retention.ts";
import { ChatStore } from "../../src/db/store.ts";

const DAY = 86_400_000;

test("messages older than the cutoff are deleted, and then deserted empty rooms; nothing else", async () => {
  let now = 0;
  const db = openDatabase(":memory:");
  const chat = new Chat({
    store: new ChatStore(db),
    doorbell: new LocalDoorbell(),
    timing: defaultTiming,
    limits: defaultLimits,
    now: () => now,
    wallClock: () => now,
  });
  const ann = chat.establish(undefined, "Ann");
  const ben = chat.establish(undefined, "Ben");
  chat.joinRoom(ann, "kept");
  chat.joinRoom(ben, "kept");
  chat.joinRoom(ann, "deserted");
  await chat.send(ann, "kept", "old");
  await chat.send(ann, "deserted", "old too");
  chat.leave(ann, "deserted");
  now = 10 * DAY;
  await chat.send(ben, "kept", "young");
  chat.joinRoom(ann, "quiet"); // present members, no message but its join notice

  const pruned = pruneOlderThan(db.$client, 5 * DAY);
  const bodies = db.$client.query<{ room_id: string; body: string }, []>("SELECT room_id, body FROM messages ORDER BY room_id, seq").all();
  expect(bodies).toEqual([
    { room_id: "kept", body: "young" },
    { room_id: "quiet", body: "Ann joined" },
  ]);
  const rooms = db.$client
    .query<{ id: string }, []>("SELECT id FROM rooms ORDER BY id")
    .all()
    .map((r) => r.id);
  expect(rooms).toEqual(["kept", "quiet"]);
  expect(pruned.rooms).toBe(1);
  expect(pruned.messages).toBeGreaterThanOrEqual(4);
  // The rooms that stay work as before: seqs go on from where they were.
  const next = await chat.send(ben, "kept", "after pruning");
  expect(next.seq).toBeGreaterThan(3);
  expect(pruneOlderThan(db.$client, 5 * DAY)).toEqual({ messages: 0, rooms: 0 });
});
