// Figure 1: wake-up latency over Streamable HTTP. From the moment the sender issues send_message
// to the moment the partner's blocked wait_for_message has returned (its reply fully read), over
// N messages; the bare Bun.serve long-poll server (bare-server.ts) is measured the same way in the
// same run, and the SDK client is measured too, for what an agent built on it sees.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { join } from "node:path";
import {
  type McpSession,
  log,
  median,
  numberFlag,
  openPair,
  percentile,
  quick,
  round,
  runBench,
  sleep,
  startListening,
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

function mcpExchange(a: McpSession, b: McpSession, room: string): Exchange {
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

async function sdkExchange(url: string): Promise<Exchange> {
  const connect = async () => {
    const client = new Client({ name: "bench-sdk", version: "1" });
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
  const room = String((await first).room_id);
  if (second.room_id !== room) throw new Error("SDK clients were not paired together");
  return (i) => {
    const text = `sdk ${i}`;
    return timeExchange(
      () => structured(b, "wait_for_message", { room_id: room, timeout: 10 }),
      () => structured(a, "send_message", { room_id: room, message: text }),
      (got) => {
        if ((got as { message?: string }).message !== text) throw new Error(`sdk: wrong message ${JSON.stringify(got)}`);
      },
    );
  };
}

const summary = (latencies: number[]) => ({ p50: percentile(latencies, 50), p99: percentile(latencies, 99) });

await runBench("wake-http", 240_000, async () => {
  const server = await startServer(join(tempDir(), "chat.db"));
  const bare = await startListening(["bun", join(import.meta.dir, "bare-server.ts")]);
  const { a, b, room } = await openPair(server.url);
  const mcp = mcpExchange(a, b, room);
  const floor = bareExchange(bare.url);
  log(`warming up, then ${RUNS} run(s) of ${MESSAGES} messages each through mcp-chat and the bare server`);
  await measure(mcp, 100);
  await measure(floor, 100);

  const runs: { mcp: { p50: number; p99: number }; bare: { p50: number; p99: number } }[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Alternate which goes first, so neither always gets the warmer machine.
    const first = run % 2 === 0 ? mcp : floor;
    const second = run % 2 === 0 ? floor : mcp;
    const x = summary(await measure(first, MESSAGES));
    const y = summary(await measure(second, MESSAGES));
    const result = run % 2 === 0 ? { mcp: x, bare: y } : { mcp: y, bare: x };
    log(`run ${run + 1}: mcp p50 ${result.mcp.p50.toFixed(3)} p99 ${result.mcp.p99.toFixed(3)} ms; bare p50 ${result.bare.p50.toFixed(3)} p99 ${result.bare.p99.toFixed(3)} ms`);
    runs.push(result);
  }
  const sdk = summary(await measure(await sdkExchange(server.url), SDK_MESSAGES));
  log(`sdk client: p50 ${sdk.p50.toFixed(3)} p99 ${sdk.p99.toFixed(3)} ms`);

  const p50 = median(runs.map((r) => r.mcp.p50));
  const p99 = median(runs.map((r) => r.mcp.p99));
  const bareP50 = median(runs.map((r) => r.bare.p50));
  const bareP99 = median(runs.map((r) => r.bare.p99));
  return {
    messages_per_run: MESSAGES,
    runs: RUNS,
    p50_ms: round(p50),
    p99_ms: round(p99),
    bare_p50_ms: round(bareP50),
    bare_p99_ms: round(bareP99),
    ratio_p50: round(p50 / bareP50, 2),
    sdk_client_p50_ms: round(sdk.p50),
    sdk_client_p99_ms: round(sdk.p99),
    per_run: runs.map((r) => ({
      mcp_p50_ms: round(r.mcp.p50),
      mcp_p99_ms: round(r.mcp.p99),
      bare_p50_ms: round(r.bare.p50),
      bare_p99_ms: round(r.bare.p99),
    })),
  };
});
