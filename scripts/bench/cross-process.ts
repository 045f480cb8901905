// Figure 4: cross-process wake-up (issue 3). Two `mcp-chat --stdio` processes on one database
// file, each driven by the SDK client over StdioClientTransport: B blocks in wait_for_message, A
// sends, and the latency runs from A issuing send_message to B's wait returning. Also the CPU a
// stdio process burns while nobody waits and while 100 calls wait (it polls only while someone waits).

import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import {
  cpuSecondsOf,
  log,
  median,
  numberFlag,
  onCleanup,
  percentile,
  quick,
  round,
  runBench,
  serverCommand,
  sleep,
  tempDir,
  unlimited,
  within,
} from "./lib.ts";

const MESSAGES = numberFlag("messages", quick ? 50 : 200);
const RUNS = numberFlag("runs", quick ? 1 : 3);
const IDLE_SECONDS = quick ? 1 : 3;
const SETTLE_MS = 5;

interface Agent {
  client: Client;
  pid: number;
  call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

async function startAgent(db: string, name: string, extraArgs: string[] = []): Promise<Agent> {
  const [command, ...args] = serverCommand();
  const transport = new StdioClientTransport({
    command: command!,
    args: [...args, "--stdio", "--db", db, ...unlimited(serverCommand()), ...extraArgs],
    stderr: "ignore",
  });
  const client = new Client({ name: `bench-${name}`, version: "1" });
  await within(client.connect(transport), 10_000, `${name} to start`);
  const pid = transport.pid;
  if (pid === null) throw new Error(`${name}: no pid`);
  return {
    client,
    pid,
    async call(tool, toolArgs) {
      const result = await client.callTool({ name: tool, arguments: toolArgs }, undefined, { timeout: 30_000 });
      if (result.isError) throw new Error(`${name} ${tool}: ${JSON.stringify(result.structuredContent)}`);
      return result.structuredContent as Record<string, unknown>;
    },
  };
}

/** CPU share of one core a process uses over `seconds`. */
async function cpuShare(pid: number, seconds: number): Promise<number> {
  const before = cpuSecondsOf(pid);
  await sleep(seconds * 1000);
  return (cpuSecondsOf(pid) - before) / seconds;
}

await runBench("cross-process", 150_000, async () => {
  const db = join(tempDir(), "chat.db");
  const a = await startAgent(db, "A");
  const b = await startAgent(db, "B", ["--max-waits", "200"]);
  // The SDK client spawned the processes; closing it ends them.
  for (const client of [a.client, b.client]) onCleanup(() => client.close());
  const room = "xproc";
  await a.call("join_room", { room_id: room, display_name: "A" });
  await b.call("join_room", { room_id: room, display_name: "B" });

  const exchange = async (i: number) => {
    const text = `x ${i}`;
    let returned = 0;
    const waiting = b.call("wait_for_message", { room_id: room, timeout: 10 }).then((got) => {
      returned = performance.now();
      return got;
    });
    await sleep(SETTLE_MS);
    const issued = performance.now();
    const [got] = await Promise.all([waiting, a.call("send_message", { room_id: room, message: text })]);
    if (got.message !== text) throw new Error(`B got ${JSON.stringify(got)} instead of "${text}"`);
    return returned - issued;
  };
  for (let i = 0; i < 20; i++) await exchange(i); // warm-up

  const runs: { p50: number; p99: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const latencies: number[] = [];
    for (let i = 0; i < MESSAGES; i++) latencies.push(await within(exchange(i), 15_000, "one cross-process exchange"));
    const r = { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    log(`run ${run + 1}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms over ${MESSAGES} messages`);
    runs.push(r);
  }

  // Idle cost: nobody waiting, then 100 calls waiting in 100 rooms (none of which gets a message).
  const idleCpu = await cpuShare(b.pid, IDLE_SECONDS);
  const rooms = Array.from({ length: 100 }, (_, i) => `idle-${i}`);
  for (const r of rooms) await b.call("join_room", { room_id: r, display_name: "B" });
  const waits = rooms.map((r) => b.call("wait_for_message", { room_id: r, timeout: IDLE_SECONDS + 5 }).catch(() => ({})));
  await sleep(300);
  const waitingCpu = await cpuShare(b.pid, IDLE_SECONDS);
  // A commit elsewhere wakes every waiter of B for one re-check; then end the waits by sending to each room.
  for (const r of rooms) await a.call("join_room", { room_id: r, display_name: "A" });
  await within(Promise.all(waits), 20_000, "the 100 idle waits to end");
  log(`stdio process CPU: ${(idleCpu * 100).toFixed(2)}% of a core with no waits, ${(waitingCpu * 100).toFixed(2)}% with 100 waits`);

  return {
    messages_per_run: MESSAGES,
    runs: RUNS,
    p50_ms: round(median(runs.map((r) => r.p50)), 2),
    p99_ms: round(median(runs.map((r) => r.p99)), 2),
    idle_cpu_percent: round(idleCpu * 100, 2),
    cpu_percent_100_waits: round(waitingCpu * 100, 2),
    per_run: runs.map((r) => ({ p50_ms: round(r.p50, 2), p99_ms: round(r.p99, 2) })),
  };
});
