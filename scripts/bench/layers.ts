// Where the server's time goes, layer by layer, for one delivered message (a send_message and
// the partner's wait_for_message that finds it), all in this one process with no HTTP:
//   sqlite   the statements a send and a read run, hand-written with cached prepared statements,
//            with synchronous=FULL and with NORMAL (the difference is what the fsyncs cost)
//   domain   Chat.send + Chat.waitForMessage (the real store: Drizzle-built queries)
//   zod      validating the two tools' arguments
//   mcp      the SDK Server over an in-memory transport: JSON-RPC dispatch, zod, the tool, results
//   events   the SSE event store, if the server keeps one: for each of the two requests a priming
//            event (which gets an id but no row) and a response
// HTTP itself is the difference between these and the throughput benchmark's CPU per message.
// The server's modules are loaded by path, untyped, so a refactor there cannot break type-checking here.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { log, median, numberFlag, quick, ROOT, round, runBench, tempDir } from "./lib.ts";

const ITERATIONS = numberFlag("iterations", quick ? 300 : 1_000);
const RUNS = quick ? 1 : 5;

type Loose = any;
const src = (path: string): Promise<Loose> => import(join(ROOT, "src", path));

/** Each layer's body is one message's worth of work. */
const layers: { key: string; body: (i: number) => unknown; runs: number[] }[] = [];
const time = (key: string, body: (i: number) => unknown) => void layers.push({ key, body, runs: [] });

/** Runs the layers in turns (so none always gets the warmer machine): microseconds per message, median of RUNS. */
async function measureAll(): Promise<Record<string, number>> {
  let offset = 0;
  for (const layer of layers) {
    for (let i = 0; i < Math.min(200, ITERATIONS); i++) await layer.body(offset++);
  }
  for (let r = 0; r < RUNS; r++) {
    for (const layer of layers) {
      const started = performance.now();
      for (let i = 0; i < ITERATIONS; i++) await layer.body(offset++);
      layer.runs.push(((performance.now() - started) * 1000) / ITERATIONS);
    }
  }
  const out: Record<string, number> = {};
  for (const layer of layers) {
    out[layer.key] = median(layer.runs);
    log(`${layer.key.padEnd(18)} ${out[layer.key]!.toFixed(1)} us per message`);
  }
  return out;
}

await runBench("layers", 120_000, async () => {
  const [{ openDatabase }, { ChatStore }, { Chat }, { LocalDoorbell }, config, { chatTools }, mcp] = await Promise.all([
    src("db/open.ts"),
    src("db/store.ts"),
    src("chat/chat.ts"),
    src("chat/doorbell.ts"),
    src("config.ts"),
    src("tools/index.ts"),
    src("mcp-server.ts"),
  ]);
  const db = openDatabase(join(tempDir(), "layers.db"));
  // Count statements run and prepared while `counting`: every statement made from here on reports.
  let counting = false;
  let prepared = 0;
  let executed = 0;
  for (const make of ["prepare", "query"] as const) {
    const original = db.$client[make].bind(db.$client);
    db.$client[make] = (...args: Loose[]) => {
      if (counting) prepared++;
      const statement = original(...args);
      for (const method of ["run", "get", "all", "values"]) {
        const run = statement[method].bind(statement);
        statement[method] = (...params: Loose[]) => {
          if (counting) executed++;
          return run(...params);
        };
      }
      return statement;
    };
  }
  const store = new ChatStore(db);
  // No rate limits and no loop guard: the figure is the cost of a message, not how many one sender may send.
  const limits = { ...config.defaultLimits, sendsPerMinute: 1e9, joinsPerMinute: 1e9, loopGuard: 0 };
  const chat = new Chat({ store, doorbell: new LocalDoorbell(), timing: config.defaultTiming, limits });
  const alice = chat.establish(undefined, "Alice");
  const bob = chat.establish(undefined, "Bob");
  chat.joinRoom(alice, "r");
  chat.joinRoom(bob, "r");
  const results: Record<string, number> = {};

  // sqlite: what send and a read do, as plain cached statements.
  const sqlite = db.$client;
  const q = {
    participant: sqlite.query("SELECT * FROM participants WHERE token_hash = ?"),
    membership: sqlite.query("SELECT * FROM memberships WHERE room_id = ? AND participant_id = ?"),
    room: sqlite.query("SELECT * FROM rooms WHERE id = ?"),
    members: sqlite.query(
      "SELECT p.id, p.display_name, m.left_at FROM memberships m JOIN participants p ON p.id = m.participant_id WHERE m.room_id = ? ORDER BY m.joined_at",
    ),
    bump: sqlite.query("UPDATE rooms SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq"),
    insert: sqlite.query(
      "INSERT INTO messages (room_id, seq, sender_id, sender_name, body, client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)",
    ),
    next: sqlite.query(
      "SELECT * FROM messages WHERE room_id = ? AND seq > ? AND (sender_id IS NULL OR sender_id <> ?) ORDER BY seq LIMIT 1",
    ),
    move: sqlite.query("UPDATE memberships SET read_seq = ? WHERE room_id = ? AND participant_id = ? AND read_seq = ? RETURNING read_seq"),
    count: sqlite.query("SELECT count(*) AS n FROM messages WHERE room_id = ? AND seq > ? AND (sender_id IS NULL OR sender_id <> ?)"),
  };
  const hash = (token: string) => new Bun.CryptoHasher("sha256").update(token).digest("hex");
  const a = alice.participant.id;
  const b = bob.participant.id;
  const sendRaw = sqlite.transaction((body: string) => {
    q.membership.get("r", a);
    q.room.get("r");
    q.members.all("r");
    const { last_seq } = q.bump.get("r") as { last_seq: number };
    q.insert.run("r", last_seq, a, "Alice", body, Date.now());
  });
  const rawMessage = (i: number) => {
    q.participant.get(hash(alice.clientId));
    sendRaw.immediate(`raw ${i}`);
    q.participant.get(hash(bob.clientId));
    const { read_seq } = q.membership.get("r", b) as { read_seq: number };
    q.room.get("r");
    const row = q.next.get("r", read_seq, b) as { seq: number };
    q.move.get(row.seq, "r", b, read_seq);
    q.count.get("r", row.seq, b);
  };
  // The same with synchronous FULL (an fsync per commit) and NORMAL, whatever the server's own
  // setting is: their difference is what the fsyncs cost. The connection's setting is restored.
  const synchronous = (sqlite.query("PRAGMA synchronous").get() as { synchronous: number }).synchronous;
  const withSynchronous = (level: "FULL" | "NORMAL") => (i: number) => {
    sqlite.run(`PRAGMA synchronous = ${level}`);
    try {
      rawMessage(i);
    } finally {
      sqlite.run(`PRAGMA synchronous = ${synchronous}`);
    }
  };
  time("sqlite_us", withSynchronous("FULL"));
  time("sqlite_sync_normal_us", withSynchronous("NORMAL"));

  // domain: the real Chat and store.
  const domainMessage = async (i: number) => {
    chat.send(chat.authenticate(alice.clientId), "r", `domain ${i}`);
    const got = await chat.waitForMessage(chat.authenticate(bob.clientId), "r", undefined, { timeoutSeconds: 1 });
    if (got.kind !== "message") throw new Error(`domain: no message (${JSON.stringify(got)})`);
  };
  time("domain_us", domainMessage);
  // How many statements the domain runs for one message, and how many it prepares anew.
  counting = true;
  try {
    await domainMessage(-1);
  } finally {
    counting = false;
  }
  results.statements_run_per_message = executed;
  results.statements_prepared_per_message = prepared;

  // zod: the two tools' input schemas.
  const tools = chatTools(config.defaultLimits, config.defaultTiming) as { name: string; input: Loose }[];
  const sendInput = tools.find((t) => t.name === "send_message")!.input;
  const waitInput = tools.find((t) => t.name === "wait_for_message")!.input;
  time("zod_us", (i) => {
    if (!sendInput.safeParse({ room_id: "r", message: `zod ${i}`, client_id: alice.clientId }).success) throw new Error("zod");
    if (!waitInput.safeParse({ room_id: "r", client_id: bob.clientId, timeout: 1 }).success) throw new Error("zod");
  });

  // mcp: the SDK Server, JSON-RPC in and out, no HTTP.
  const server = mcp.createMcpServer(chat, () => tools);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const pending = new Map<number, (message: JSONRPCMessage) => void>();
  clientSide.onmessage = (message) => {
    const id = (message as { id?: number }).id;
    if (id !== undefined) pending.get(id)?.(message);
    pending.delete(id!);
  };
  await server.connect(serverSide);
  await clientSide.start();
  let nextId = 1;
  const request = (method: string, params: object) =>
    new Promise<Loose>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      void clientSide.send({ jsonrpc: "2.0", id, method, params } as JSONRPCMessage);
    });
  await request("initialize", { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "layers", version: "1" } });
  await clientSide.send({ jsonrpc: "2.0", method: "notifications/initialized" } as JSONRPCMessage);
  time("mcp_us", async (i) => {
    await request("tools/call", { name: "send_message", arguments: { room_id: "r", message: `mcp ${i}`, client_id: alice.clientId } });
    const got = await request("tools/call", { name: "wait_for_message", arguments: { room_id: "r", client_id: bob.clientId, timeout: 1 } });
    if (got.result?.structuredContent?.message !== `mcp ${i}`) throw new Error(`mcp: ${JSON.stringify(got).slice(0, 200)}`);
  });

  // events: the SSE event store, when there is one.
  if (existsSync(join(ROOT, "src", "db", "event-store.ts"))) {
    const { SqliteEventStore } = await src("db/event-store.ts");
    const store = new SqliteEventStore(db);
    // A session's adapter lives in src/http/ since 2026-12; older trees made it with forSession().
    const adapter = join(ROOT, "src", "http", "session-events.ts");
    const events = existsSync(adapter) ? new (await src("http/session-events.ts")).SessionEventStore(store) : store.forSession();
    events.sessionId = "layers-session";
    const response = { jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "x".repeat(200) }] } };
    time("events_us", async () => {
      // Two requests, each a priming event (empty, as the SDK sends it: an id, no row) and a
      // response; flushed once per event-loop turn.
      for (let k = 0; k < 2; k++) {
        await events.storeEvent(`s${k}`, {});
        await events.storeEvent(`s${k}`, response);
        await new Promise((resolve) => setImmediate(resolve));
      }
    });
  }

  Object.assign(results, await measureAll());
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, round(v, 1)]));
});
