// A reader far behind catches up in time proportional to what it reads (issue 19, #8): each wait
// costs about the same 200,000 messages behind as at the room's end, and the unread counts it
// returns are exact, the reader's own messages and room notices taken into account.
import { describe, expect, test } from "bun:test";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";

const BEHIND = 200_000;
const WAITS = 50;

function chatWithReader() {
  const db = openDatabase(":memory:");
  const chat = new Chat({ store: new ChatStore(db), doorbell: new LocalDoorbell(), timing: defaultTiming, limits: defaultLimits });
  const reader = chat.establish(undefined, "Reader");
  const writer = chat.establish(undefined, "Writer");
  chat.joinRoom(reader, "big");
  chat.joinRoom(writer, "big");
  return { db, chat, reader, writer };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe("catching up", () => {
  test(`a wait ${BEHIND.toLocaleString("en")} messages behind costs about what one at the end does`, async () => {
    const { db, chat, reader, writer } = chatWithReader();
    // The writer's messages, stored in one statement: seqs 3.. after the two join notices.
    db.$client.run(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${BEHIND})
       INSERT INTO messages (room_id, seq, sender_id, sender_name, body, created_at) SELECT 'big', i + 2, ?, 'Writer', 'm' || i, 0 FROM n`,
      [writer.participant.id],
    );
    db.$client.run("UPDATE rooms SET last_seq = ? WHERE id = 'big'", [BEHIND + 2]);
    const timeWaits = async () => {
      const costs: number[] = [];
      for (let i = 0; i < WAITS; i++) {
        const started = performance.now();
        const got = await chat.waitForMessage(reader, "big", undefined, { timeoutSeconds: 0 });
        costs.push(performance.now() - started);
        expect(got.kind).toBe("message");
      }
      return median(costs);
    };
    const first = await chat.waitForMessage(reader, "big", undefined, { timeoutSeconds: 0 });
    expect(first).toMatchObject({ message: "Writer joined", unread: BEHIND });
    const behind = await timeWaits();
    db.$client.run("UPDATE memberships SET read_seq = ? WHERE participant_id = ?", [BEHIND + 2 - WAITS - 10, reader.participant.id]);
    const atTheEnd = await timeWaits();
    // Before the fix: about 40 times (a count over every message after the cursor, at each wait).
    expect({ behind, atTheEnd, aboutTheSame: behind / atTheEnd < 5 }).toEqual({ behind, atTheEnd, aboutTheSame: true });
  }, 30_000);

  test("unread counts others' messages and room notices after the one returned, not one's own", async () => {
    const { chat, reader, writer } = chatWithReader();
    const third = chat.establish(undefined, "Third");
    await chat.send(writer, "big", "w1");
    await chat.send(reader, "big", "mine 1");
    await chat.send(writer, "big", "w2");
    chat.joinRoom(third, "big"); // "Third joined": a notice counts
    await chat.send(reader, "big", "mine 2");
    await chat.send(third, "big", "t1");
    const seen: [string, number][] = [];
    for (;;) {
      const got = await chat.waitForMessage(reader, "big", undefined, { timeoutSeconds: 0 });
      if (got.kind !== "message") break;
      seen.push([got.message, got.unread]);
    }
    expect(seen).toEqual([
      ["Writer joined", 4],
      ["w1", 3],
      ["w2", 2],
      ["Third joined", 1],
      ["t1", 0],
    ]);
    // The writer has read nothing since joining: the reader's two, the notice and Third's.
    expect(chat.whoami(writer).rooms[0]!.unread).toBe(4);
  });
});
