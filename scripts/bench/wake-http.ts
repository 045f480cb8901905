// Figure 1: wake-up latency over Streamable HTTP. From the moment the sender issues send_message
// to the moment the partner's blocked wait_for_message has returned (its reply fully read), over
// N messages, in both protocol eras (a 2025 session; 2026 requests that stand alone). Floors are
// measured the same way in the same run, in turns with mcp-chat: the SDK transport and Server
// alone with in-memory tools (sdk-floor-server.ts, the same MCP load, both eras) and the bare
// Bun.serve long-poll server (bare-server.ts). The SDK's v2 client is measured too, in both eras,
// for what an agent built on it sees. And one durable commit alone (SQLite, as mcp-chat stores a
// message before it wakes anyone): a wake-up on this disk costs at least the SDK floor plus it.

import { Database } from "bun:sqlite";
import { join } from "node:path";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  type Era,
  log,
  median,
  numberFlag,
  openPair,
  percentile,
  quick,
  rotated,
  round,
  runBench,
  sleep,
  startFloor,
  startServer,
  tempDir,
  within,
} from "./lib.ts";

const MESSAGES = numberFlag("messages", quick ? 200 : 1_000);
const RUNS = numberFlag("runs", quick ? 1 : 3);
const SDK_MESSAGES = quick ? 50 : 300;
/** Time the waiter is given to be blocked on the server before the send goes out. */
const SETTLE_MS = 2;

type Exchange = (i: number) => Promise<number>;

/** Times `count` exchanges; each returns the wake-up latency in ms. */
async function measure(exchange: Exchange, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) latencies.push(await within(exchange(i), 10_000, "one exchange"));
  return latencies;
}

/** Wait issued, given time to block, then the send; the latency ends when the wait's reply is read. */
async function timeExchange(wait: () => Promise<unknown>, send: () => Promise<unknown>, check: (got: unknown) => void) {
  let returned = 0;
  const waiting = wait().then((got) => {
    returned = performance.now();
    return got;
  });
  await sleep(SETTLE_MS);
  const issued = performance.now();
  const [got] = await Promise.all([waiting, send()]);
  check(got);
  return returned - issued;
}

async function mcpExchange(url: string, era: Era = "2025"): Promise<Exchange> {
  const { a, b, room } = await openPair(url, ["Alice", "Bob"], era);
  return (i) => {
    const text = `wake ${i} ${Date.now()}`;
    return timeExchange(
      () => b.call("wait_for_message", { room_id: room, timeout: 10 }),
      () => a.call("send_message", { room_id: room, message: text }),
      (got) => {
        if ((got as { message?: string }).message !== text) throw new Error(`wrong message: ${JSON.stringify(got)}`);
      },
    );
  };
}

function bareExchange(url: string): Exchange {
  const post = (path: string, body: object) =>
    fetch(new URL(path, url), { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.json() as Promise<{ message?: string }>,
    );
  return (i) => {
    const text = `wake ${i} ${Date.now()}`;
    return timeExchange(
      () => post("/wait/r1", { room: "r1" }),
      () => post("/send/r1", { room: "r1", message: text }),
      (got) => {
        if ((got as { message?: string }).message !== text) throw new Error(`bare: wrong message ${JSON.stringify(got)}`);
      },
    );
  };
}

/**
 * One row committed in its own transaction to a WAL file with synchronous=FULL (one fsync), after
 * the same pause as an exchange's: the least the contract's "store durably, then wake" costs.
 */
function durableCommitExchange(path: string): Exchange {
  const db = new Database(path, { create: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = FULL");
  db.run("CREATE TABLE messages (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  const insert = db.prepare("INSERT INTO messages (body) VALUES (?)");
  return async (i) => {
    await sleep(SETTLE_MS);
    const started = performance.now();
    insert.run(`wake ${i} ${Date.now()}`);
    return performance.now() - started;
  };
}

async function sdkExchange(url: string, era: Era): Promise<Exchange> {
  const connect = async () => {
    const client = new Client({ name: "bench-sdk", version: "1" }, era === "2026" ? { versionNegotiation: { mode: "auto" } } : {});
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    return client;
  };
  const [a, b] = await Promise.all([connect(), connect()]);
  const structured = async (client: Client, name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.structuredContent)}`);
    return result.structuredContent as Record<string, unknown>;
  };
  const first = structured(a, "enter_queue", { display_name: "SdkA", timeout: 10 });
  await sleep(5);
  const second = await structured(b, "enter_queue", { display_name: "SdkB", timeout: 10 });
  const matched = await first;
  const room = String(matched.room_id);
  if (second.room_id !== room) throw new Error("SDK clients were not paired together");
  return (i) => {
    const text = `sdk ${i}`;
    return timeExchange(
      () => structured(b, "wait_for_message", { room_id: room, client_id: second.client_id, timeout: 10 }),
      () => structured(a, "send_message", { room_id: room, client_id: matched.client_id, message: text }),
      (got) => {
        if ((got as { message?: string }).message !== text) throw new Error(`sdk: wrong message ${JSON.stringify(got)}`);
      },
    );
  };
}

const summary = (latencies: number[]) => ({ p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
type Summary = ReturnType<typeof summary>;

await runBench("wake-http", 240_000, async () => {
  const server = await startServer(join(tempDir(), "chat.db"));
  const sdkFloor = await startFloor("sdk-floor-server.ts");
  const bare = await startFloor("bare-server.ts");
  const exchanges = {
    mcp: await mcpExchange(server.url),
    mcp_2026: await mcpExchange(server.url, "2026"),
    sdk_floor: await mcpExchange(sdkFloor.url),
    sdk_floor_2026: await mcpExchange(sdkFloor.url, "2026"),
    bare: bareExchange(bare.url),
    durable_commit: durableCommitExchange(join(tempDir(), "commits.db")),
  };
  const names = ["mcp", "mcp_2026", "sdk_floor", "sdk_floor_2026", "bare", "durable_commit"] as const;
  log(`warming up, then ${RUNS} run(s) of ${MESSAGES} messages each through mcp-chat and the SDK floor in both eras, and the bare server`);
  for (const name of names) await measure(exchanges[name], 100);

  const runs: Record<(typeof names)[number], Summary>[] = [];
  for (let run = 0; run < RUNS; run++) {
    const result = {} as (typeof runs)[number];
    for (const name of rotated(names, run)) result[name] = summary(await measure(exchanges[name], MESSAGES));
    log(`run ${run + 1}: ${names.map((n) => `${n} p50 ${result[n].p50.toFixed(3)} p99 ${result[n].p99.toFixed(3)} ms`).join("; ")}`);
    runs.push(result);
  }
  const sdkClient = summary(await measure(await sdkExchange(server.url, "2025"), SDK_MESSAGES));
  const sdkClient2026 = summary(await measure(await sdkExchange(server.url, "2026"), SDK_MESSAGES));
  log(
    `sdk client: 2025 p50 ${sdkClient.p50.toFixed(3)} p99 ${sdkClient.p99.toFixed(3)} ms; 2026 p50 ${sdkClient2026.p50.toFixed(3)} p99 ${sdkClient2026.p99.toFixed(3)} ms`,
  );

  const mid = (name: (typeof names)[number], key: keyof Summary) => median(runs.map((r) => r[name][key]));
  const bareP50 = mid("bare", "p50");
  return {
    messages_per_run: MESSAGES,
    runs: RUNS,
    p50_ms: round(mid("mcp", "p50")),
    p99_ms: round(mid("mcp", "p99")),
    bare_p50_ms: round(bareP50),
    bare_p99_ms: round(mid("bare", "p99")),
    ratio_p50: round(mid("mcp", "p50") / bareP50, 2),
    era2026_p50_ms: round(mid("mcp_2026", "p50")),
    era2026_p99_ms: round(mid("mcp_2026", "p99")),
    era2026_ratio_p50: round(mid("mcp_2026", "p50") / bareP50, 2),
    sdk_floor_2026_p50_ms: round(mid("sdk_floor_2026", "p50")),
    sdk_floor_2026_p99_ms: round(mid("sdk_floor_2026", "p99")),
    sdk_floor_p50_ms: round(mid("sdk_floor", "p50")),
    sdk_floor_p99_ms: round(mid("sdk_floor", "p99")),
    sdk_floor_ratio_p50: round(mid("sdk_floor", "p50") / bareP50, 2),
    durable_commit_p50_ms: round(mid("durable_commit", "p50")),
    durable_commit_p99_ms: round(mid("durable_commit", "p99")),
    sdk_client_p50_ms: round(sdkClient.p50),
    sdk_client_p99_ms: round(sdkClient.p99),
    sdk_client_2026_p50_ms: round(sdkClient2026.p50),
    sdk_client_2026_p99_ms: round(sdkClient2026.p99),
    per_run: runs.map((r) =>
      Object.fromEntries(
        names.flatMap((n) => [
          [`${n}_p50_ms`, round(r[n].p50)],
          [`${n}_p99_ms`, round(r[n].p99)],
        ]),
      ),
    ),
  };
});
