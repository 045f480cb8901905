// Resumable streams' storage on its own: a real SQLite file, two stores on it as two processes
// one after the other, a clock that can be set back, and a write lock held by another connection.
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { SqliteEventStore } from "../../src/db/event-store.ts";
import { openDatabase } from "../../src/db/open.ts";

const realNow = Date.now;
afterEach(() => {
  Date.now = realNow;
});

const answer = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [] } });
const newFile = () => join(mkdtempSync(join(tmpdir(), "mcp-chat-events-")), "chat.db");

describe("stream events", () => {
  test("a restart with the clock set back still replays what the previous process stored", () => {
    const path = newFile();
    const t = realNow();
    Date.now = () => t;
    const first = new SqliteEventStore(openDatabase(path));
    const priming = first.append("sess.stream", {} as JSONRPCMessage);
    const stored = first.append("sess.stream", answer(1));
    first.flush();

    Date.now = () => t - 120_000;
    const second = new SqliteEventStore(openDatabase(path));
    expect(second.eventsAfter("sess", priming)).toEqual([[stored, answer(1)]]);
  });

  test("events stored after the clock went back come in order, once, and are pruned by the clock", () => {
    const store = new SqliteEventStore(openDatabase(newFile()));
    const t = realNow();
    Date.now = () => t;
    const priming = store.append("sess.stream", {} as JSONRPCMessage);
    const before = store.append("sess.stream", answer(1));
    Date.now = () => t - 86_400_000; // a day back
    const after = store.append("sess.stream", answer(2));
    store.append("sess.other", answer(3));
    expect(store.eventsAfter("sess", priming)).toEqual([
      [before, answer(1)],
      [after, answer(2)],
    ]);
    expect(store.eventsAfter("sess", before)).toEqual([[after, answer(2)]]);

    Date.now = () => t - 86_400_000 + 11 * 60_000; // retention (10 min) later, by the clock
    store.prune();
    expect(store.eventsAfter("sess", priming)).toEqual([[before, answer(1)]]);
  });

  test("events whose write failed are stored by a later try, with no new event to set it off", async () => {
    const path = newFile();
    const db = openDatabase(path);
    db.$client.run("PRAGMA busy_timeout = 0"); // fail at once rather than after 5 s
    const store = new SqliteEventStore(db, { writeBehindMs: 50, retryFirstMs: 200, retryMaxMs: 1_000, maxUnwrittenChars: 1_000_000 });
    const otherProcess = new Database(path);
    otherProcess.run("BEGIN IMMEDIATE"); // holds the write lock past the first try

    const priming = store.append("sess.stream", {} as JSONRPCMessage);
    const stored = store.append("sess.stream", answer(1));
    await Bun.sleep(120); // the first write, at 50 ms, failed
    otherProcess.run("COMMIT");
    const reader = new SqliteEventStore(openDatabase(path));
    expect(reader.eventsAfter("sess", priming)).toBeUndefined();

    await Bun.sleep(300); // the retry comes 200 ms after the failure
    expect(reader.eventsAfter("sess", priming)).toEqual([[stored, answer(1)]]);
  });

  test("while writes fail, the events waiting in memory are bounded: the oldest go, the newest stay replayable", async () => {
    // Issue 19, #2: on a full disk every answer stayed in memory, without bound.
    const db = openDatabase(newFile());
    const store = new SqliteEventStore(db, { writeBehindMs: 10, retryFirstMs: 50, retryMaxMs: 50, maxUnwrittenChars: 10_000 });
    db.$client.run("PRAGMA query_only = ON"); // every write fails, as on a full disk
    const big = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, result: { content: [{ type: "text", text: "z".repeat(1_000) }] } });
    const priming = store.append("sess.stream", {} as JSONRPCMessage);
    const ids = Array.from({ length: 100 }, (_, i) => store.append("sess.stream", big(i)));
    await Bun.sleep(120); // two failed tries
    db.$client.run("PRAGMA query_only = OFF");
    await Bun.sleep(120); // and one that works
    const kept = store.eventsAfter("sess", priming)!;
    // About 10,000 characters' worth: the last 9 of 100 answers of 1,050 characters each.
    expect(kept.map(([id]) => id)).toEqual(ids.slice(-9));
  });
});
