// Figure 2: messages delivered per second with P pairs chatting at once, in both protocol eras
// (a 2025 session per client; 2026 requests that stand alone). Each pair takes turns:
// one waits, the other sends, and a message counts when the wait has returned it; then they swap.
// The load generator is plain fetch in one process sharing the 2 cores; both CPU bills are
// reported. Two floors run in the same run, in turns with mcp-chat: the SDK transport and Server
// alone with in-memory tools (sdk-floor-server.ts) under the same MCP load, the ceiling of any
// server on this stack; and the bare Bun.serve long-poll server (bare-server.ts) under the same
// pattern of plain requests, the ceiling this machine, Bun's HTTP and this load generator allow.
import { join } from "node:path";
import {
  cpuSecondsOf,
  type Era,
  log,
  type McpSession,
  mainThreadCpuSecondsOf,
  median,
  numberFlag,
  openPair,
  ownCpuSeconds,
  quick,
  rotated,
  round,
  runBench,
  startFloor,
  startServer,
  tempDir,
} from "./lib.ts";

const PAIRS = numberFlag("pairs", 100);
const SECONDS = numberFlag("seconds", quick ? 2 : 5);
const RUNS = numberFlag("runs", quick ? 1 : 3);

/** One pair's two sides: wait(side) blocks for the next message to that side, send(side) speaks. */
interface Pair {
  wait(side: 0 | 1): Promise<unknown>;
  send(side: 0 | 1, text: string): Promise<unknown>;
}

/** Every pair chats until the deadline; returns the messages delivered. */
async function chat(pairs: Pair[], seconds: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let delivered = 0;
  await Promise.all(
    pairs.map(async (pair, p) => {
      let sender: 0 | 1 = 0;
      for (let i = 0; performance.now() < until; i++) {
        const text = `m ${p} ${i}`;
        const receiver: 0 | 1 = sender === 0 ? 1 : 0;
        const [got] = await Promise.all([pair.wait(receiver), pair.send(sender, text)]);
        if ((got as { message?: string }).message !== text) {
          throw new Error(`pair ${p}: expected "${text}", got ${JSON.stringify(got)}`);
        }
        delivered++;
        sender = receiver;
      }
    }),
  );
  return delivered;
}

interface Run {
  rate: number;
  serverCpu: number;
  /** The share of serverCpu spent on the main thread, where all JavaScript runs. */
  serverMainCpu: number;
  loadCpu: number;
}

async function measure(pairs: Pair[], pid: number, label: string): Promise<Run> {
  const serverCpu0 = cpuSecondsOf(pid);
  const serverMain0 = mainThreadCpuSecondsOf(pid);
  const loadCpu0 = ownCpuSeconds();
  const started = performance.now();
  const delivered = await chat(pairs, SECONDS);
  const elapsed = (performance.now() - started) / 1000;
  const run = {
    rate: delivered / elapsed,
    serverCpu: (cpuSecondsOf(pid) - serverCpu0) / elapsed,
    serverMainCpu: (mainThreadCpuSecondsOf(pid) - serverMain0) / elapsed,
    loadCpu: (ownCpuSeconds() - loadCpu0) / elapsed,
  };
  log(
    `${label}: ${delivered} messages in ${elapsed.toFixed(2)} s = ${run.rate.toFixed(0)} msg/s; ` +
      `server ${(run.serverCpu * 100).toFixed(0)}% of a core (main thread ${(run.serverMainCpu * 100).toFixed(0)}%), load generator ${(run.loadCpu * 100).toFixed(0)}%`,
  );
  return run;
}

/** PAIRS pairs of MCP clients of the era, each paired by the server's queue. */
async function mcpPairs(url: string, era: Era = "2025"): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const { a, b, room } = await openPair(url, [`A${p}`, `B${p}`], era);
    const sides: [McpSession, McpSession] = [a, b];
    pairs.push({
      wait: (side) => sides[side].call("wait_for_message", { room_id: room, timeout: 10 }, 15_000),
      send: (side, text) => sides[side].call("send_message", { room_id: room, message: text }, 15_000),
    });
  }
  return pairs;
}

await runBench("throughput", 180_000, async () => {
  const server = await startServer(join(tempDir(), "chat.db"));
  const sdkFloor = await startFloor("sdk-floor-server.ts");
  const bare = await startFloor("bare-server.ts");
  log(`pairing ${PAIRS} pairs on mcp-chat and on the SDK floor`);
  const post = (path: string, body: object) =>
    fetch(new URL(path, bare.url), { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) }).then((r) =>
      r.json(),
    );
  const barePairs: Pair[] = Array.from({ length: PAIRS }, (_, p) => ({
    wait: () => post(`/wait/pair-${p}`, { room: p }),
    send: (_side, text) => post(`/send/pair-${p}`, { room: p, message: text }),
  }));
  const servers = {
    "mcp-chat": { pairs: await mcpPairs(server.url), pid: server.pid, runs: [] as Run[] },
    "mcp-chat 2026": { pairs: await mcpPairs(server.url, "2026"), pid: server.pid, runs: [] as Run[] },
    "sdk floor": { pairs: await mcpPairs(sdkFloor.url), pid: sdkFloor.pid, runs: [] as Run[] },
    bare: { pairs: barePairs, pid: bare.pid, runs: [] as Run[] },
  };
  const names = Object.keys(servers) as (keyof typeof servers)[];
  for (const name of names) await chat(servers[name].pairs, 1); // warm-up

  for (let run = 0; run < RUNS; run++) {
    for (const name of rotated(names, run)) {
      const { pairs, pid, runs } = servers[name];
      runs.push(await measure(pairs, pid, `run ${run + 1} ${name}`));
    }
  }
  const mcp = servers["mcp-chat"].runs;
  const rate = median(mcp.map((r) => r.rate));
  const serverCpu = median(mcp.map((r) => r.serverCpu));
  const modern = servers["mcp-chat 2026"].runs;
  const modernRate = median(modern.map((r) => r.rate));
  const sdk = servers["sdk floor"].runs;
  const sdkRate = median(sdk.map((r) => r.rate));
  const sdkServerCpu = median(sdk.map((r) => r.serverCpu));
  const bareRuns = servers.bare.runs;
  const bareRate = median(bareRuns.map((r) => r.rate));
  return {
    pairs: PAIRS,
    seconds_per_run: SECONDS,
    runs: RUNS,
    messages_per_second: Math.round(rate),
    server_cpu_cores: round(serverCpu, 2),
    load_generator_cpu_cores: round(median(mcp.map((r) => r.loadCpu)), 2),
    // One delivered message = one send_message and one wait_for_message request.
    server_cpu_us_per_message: round((serverCpu / rate) * 1e6, 1),
    server_main_thread_us_per_message: round((median(mcp.map((r) => r.serverMainCpu)) / rate) * 1e6, 1),
    era2026_messages_per_second: Math.round(modernRate),
    era2026_server_cpu_us_per_message: round((median(modern.map((r) => r.serverCpu)) / modernRate) * 1e6, 1),
    era2026_server_main_thread_us_per_message: round((median(modern.map((r) => r.serverMainCpu)) / modernRate) * 1e6, 1),
    sdk_floor_messages_per_second: Math.round(sdkRate),
    sdk_floor_server_cpu_cores: round(sdkServerCpu, 2),
    sdk_floor_server_cpu_us_per_message: round((sdkServerCpu / sdkRate) * 1e6, 1),
    sdk_floor_server_main_thread_us_per_message: round((median(sdk.map((r) => r.serverMainCpu)) / sdkRate) * 1e6, 1),
    sdk_floor_load_generator_cpu_cores: round(median(sdk.map((r) => r.loadCpu)), 2),
    bare_messages_per_second: Math.round(bareRate),
    bare_server_cpu_us_per_message: round((median(bareRuns.map((r) => r.serverCpu)) / bareRate) * 1e6, 1),
    bare_load_generator_cpu_cores: round(median(bareRuns.map((r) => r.loadCpu)), 2),
    per_run_messages_per_second: mcp.map((r) => Math.round(r.rate)),
    sdk_floor_per_run_messages_per_second: sdk.map((r) => Math.round(r.rate)),
  };
});
