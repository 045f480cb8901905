// What one request can cost (issue 19, #1): 200 messages of 8,000 NUL characters once made one
// 121-byte get_messages answer 19.9 MiB (each NUL is 6 characters of JSON, and the result goes out
// twice: as text and as structuredContent). A page now stops at a budget of message text, and
// has_more says there is more: paging still reaches every message, once.
import { afterAll, describe, expect, test } from "bun:test";
import { ok } from "../tool-calls.ts";
import { startInProcess } from "./in-process.ts";

// One agent sends hundreds of messages in a row here: no loop guard.
const server = startInProcess({ limits: { loopGuard: 0 } });
afterAll(() => server.close());

describe("the cost of one get_messages", () => {
  test("200 messages of 8,000 NULs: each page under 2 MiB, and paging back reaches all 200 once", async () => {
    const writer = await server.connect("writer");
    await ok(writer, "join_room", { room_id: "heavy", display_name: "Writer" });
    for (let i = 0; i < 200; i++) await ok(writer, "send_message", { room_id: "heavy", message: `${i}${"\u0000".repeat(7_990)}` });
    const reader = await server.connect("reader");
    await ok(reader, "join_room", { room_id: "heavy", display_name: "Reader" });

    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 200; pages++) {
      const result = await reader.callTool({ name: "get_messages", arguments: { room_id: "heavy", limit: 200, before_seq: before } });
      expect(JSON.stringify(result).length).toBeLessThan(2 * 1024 * 1024);
      const page = result.structuredContent as { messages: { seq: number; sender: string }[]; has_more: boolean };
      expect(page.messages.length).toBeGreaterThan(0);
      seen.unshift(...page.messages.filter((m) => m.sender === "Writer").map((m) => m.seq));
      before = page.messages[0]!.seq;
      if (!page.has_more) break;
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 2)); // seq 1 is "Writer joined"

    // Forward too, with after_seq.
    const forward: number[] = [];
    let after = 0;
    for (let pages = 0; pages < 200; pages++) {
      const page = await ok(reader, "get_messages", { room_id: "heavy", limit: 200, after_seq: after });
      forward.push(...page.messages.filter((m: { sender: string }) => m.sender === "Writer").map((m: { seq: number }) => m.seq));
      after = page.messages.at(-1).seq;
      if (!page.has_more) break;
    }
    expect(forward).toEqual(seen);
  }, 30_000);
});
