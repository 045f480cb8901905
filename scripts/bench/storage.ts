// Figure 7: storage growth. Bytes on disk per stored 1 KB message, and whether a send (and the
// partner's read) gets slower, or the server bigger, with history: one database whose room holds
// 1 message and one whose room holds N (default 10 million; --rows N). The big file is filled
// directly with bun:sqlite in large transactions after the binary has created the schema, then
// both are served at once and timed in alternating batches.
import { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import {
  bodyOf,
  log,
  McpSession,
  median,
  memoryOf,
  numberFlag,
  percentile,
  quick,
  round,
  runBench,
  type Served,
  startServer,
  tempDir,
} from "./lib.ts";

const ROWS = numberFlag("rows", quick ? 200_000 : 10_000_000);
const BODY_BYTES = 1024;
const ROUNDS = quick ? 2 : 5;
const PER_BATCH = quick ? 50 : 100;
const ROOM = "history";
const MB = 1024 * 1024;

/** The size of the database on disk: the file plus its WAL. */
function dbBytes(path: string): number {
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
}

/** Creates the file through the binary (migrations, two members of one room); returns their client_ids. */
async function prepare(db: string): Promise<{ alice: string; bob: string }> {
  const server = await startServer(db);
  const a = await McpSession.open(server.url);
  const b = await McpSession.open(server.url);
  const alice = String((await a.call("join_room", { room_id: ROOM, display_name: "Alice" })).client_id);
  const bob = String((await b.call("join_room", { room_id: ROOM, display_name: "Bob" })).client_id);
  await server.stop();
  return { alice, bob };
}

/** Appends `rows` 1 KB messages from Alice to the room, as sends would, and moves Bob's cursor to the end. */
function fill(path: string, rows: number): number {
  const db = new Database(path);
  db.run("PRAGMA journal_mode = DELETE"); // no other connection is open; the binary turns WAL back on
  db.run("PRAGMA synchronous = OFF");
  db.run("PRAGMA cache_size = -200000");
  const alice = db.query<{ id: string }, []>("SELECT id FROM participants WHERE display_name = 'Alice'").get()!.id;
  const bob = db.query<{ id: string }, []>("SELECT id FROM participants WHERE display_name = 'Bob'").get()!.id;
  const first = db.query<{ last_seq: number }, [string]>("SELECT last_seq FROM rooms WHERE id = ?").get(ROOM)!.last_seq + 1;
  const insert = db.prepare(
    "INSERT INTO messages (room_id, seq, sender_id, sender_name, body, client_msg_id, created_at) VALUES (?, ?, ?, 'Alice', ?, NULL, ?)",
  );
  const started = performance.now();
  const body = bodyOf(BODY_BYTES, "history ");
  const now = Date.now() - rows;
  const chunk = 200_000;
  for (let from = 0; from < rows; from += chunk) {
    const to = Math.min(rows, from + chunk);
    db.transaction(() => {
      for (let i = from; i < to; i++) insert.run(ROOM, first + i, alice, body, now + i);
    })();
    if (to % 2_000_000 === 0 && to < rows) {
      log(`  ${to.toLocaleString()} rows in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const last = first + rows - 1;
  db.run("UPDATE rooms SET last_seq = ? WHERE id = ?", [last, ROOM]);
  db.run("UPDATE memberships SET read_seq = ? WHERE room_id = ? AND participant_id = ?", [last, ROOM, bob]);
  db.run("PRAGMA journal_mode = WAL");
  db.close();
  return (performance.now() - started) / 1000;
}

interface Side {
  name: string;
  server: Served;
  alice: McpSession;
  bob: McpSession;
  sends: number[];
  reads: number[];
  n: number;
}

/** Alice sends a 1 KB message, then Bob reads it (already there: no waiting involved). */
async function batch(side: Side, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const text = bodyOf(BODY_BYTES, `${side.name} ${side.n++} `);
    let t = performance.now();
    await side.alice.call("send_message", { room_id: ROOM, message: text });
    side.sends.push(performance.now() - t);
    t = performance.now();
    const got = await side.bob.call("wait_for_message", { room_id: ROOM, timeout: 5 });
    side.reads.push(performance.now() - t);
    if (got.message !== text) throw new Error(`${side.name}: Bob read ${JSON.stringify(got).slice(0, 200)}`);
  }
}

await runBench("storage", 290_000, async () => {
  const dir = tempDir();
  const smallPath = join(dir, "one.db");
  const bigPath = join(dir, "big.db");
  const [small, big] = [await prepare(smallPath), await prepare(bigPath)];
  fill(smallPath, 1);
  const before = dbBytes(bigPath);
  log(`filling ${ROWS.toLocaleString()} messages of ${BODY_BYTES} bytes`);
  const fillSeconds = fill(bigPath, ROWS);
  const bytesPerMessage = (dbBytes(bigPath) - before) / ROWS;
  log(`filled in ${fillSeconds.toFixed(1)} s: ${(dbBytes(bigPath) / MB).toFixed(0)} MB, ${bytesPerMessage.toFixed(0)} bytes per message`);

  const open = async (name: string, path: string, ids: { alice: string; bob: string }): Promise<Side> => {
    const server = await startServer(path);
    const alice = await McpSession.open(server.url);
    const bob = await McpSession.open(server.url);
    // The client_ids survive the restart: name the session's participant again.
    await alice.call("join_room", { room_id: ROOM, display_name: "Alice", client_id: ids.alice });
    await bob.call("join_room", { room_id: ROOM, display_name: "Bob", client_id: ids.bob });
    return { name, server, alice, bob, sends: [], reads: [], n: 0 };
  };
  const one = await open("one", smallPath, small);
  const many = await open("many", bigPath, big);
  await batch(one, 20);
  await batch(many, 20);
  one.sends = [];
  one.reads = [];
  many.sends = [];
  many.reads = [];
  const rounds: { one: number; many: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [x, y] = r % 2 === 0 ? [one, many] : [many, one];
    const from = { one: one.sends.length, many: many.sends.length };
    await batch(x, PER_BATCH);
    await batch(y, PER_BATCH);
    rounds.push({ one: median(one.sends.slice(from.one)), many: median(many.sends.slice(from.many)) });
  }
  const p50One = median(rounds.map((r) => r.one));
  const p50Many = median(rounds.map((r) => r.many));
  const result = {
    rows: ROWS,
    body_bytes: BODY_BYTES,
    fill_seconds: round(fillSeconds, 1),
    db_mb: round(dbBytes(bigPath) / MB, 0),
    bytes_per_message: Math.round(bytesPerMessage),
    send_p50_at_1_ms: round(p50One),
    send_p50_at_n_ms: round(p50Many),
    send_ratio: round(p50Many / p50One, 2),
    send_p99_at_1_ms: round(percentile(one.sends, 99)),
    send_p99_at_n_ms: round(percentile(many.sends, 99)),
    read_p50_at_1_ms: round(percentile(one.reads, 50)),
    read_p50_at_n_ms: round(percentile(many.reads, 50)),
    rss_at_1_mb: round(memoryOf(one.server.pid).rss / MB, 1),
    rss_at_n_mb: round(memoryOf(many.server.pid).rss / MB, 1),
    sends_timed_each: one.sends.length,
  };
  log(
    `send p50 ${result.send_p50_at_1_ms} ms at 1 message, ${result.send_p50_at_n_ms} ms at ${ROWS.toLocaleString()} ` +
      `(x${result.send_ratio}); read p50 ${result.read_p50_at_1_ms} / ${result.read_p50_at_n_ms} ms; ` +
      `RSS ${result.rss_at_1_mb} / ${result.rss_at_n_mb} MB`,
  );
  return result;
});
