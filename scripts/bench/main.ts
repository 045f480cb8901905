// Runs every benchmark in its own process, prints one table and writes bench-results.json.
// Usage (through ./scripts/bench/run): [--quick] [--only wake-http,throughput,...] [--rows N] [--waiters N]
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, relative } from "node:path";
import { flag, quick, ROOT } from "./lib.ts";

type Result = Record<string, unknown>;
type Check = "yes" | "no" | "";

interface Bench {
  name: string;
  /** Hard limit for the whole process; the benchmark also bounds itself. */
  limitSeconds: number;
  args?: string[];
}

// Each limit is 20 s above the benchmark's own deadline, so it normally stops (and cleans up) itself.
const BENCHES: Bench[] = [
  { name: "binary-size", limitSeconds: 50 },
  { name: "cold-start", limitSeconds: 170 },
  { name: "wake-http", limitSeconds: 260 },
  { name: "throughput", limitSeconds: 200 },
  { name: "cross-process", limitSeconds: 170 },
  { name: "storage", limitSeconds: 310, args: passOn("rows") },
  { name: "waiters", limitSeconds: 420, args: passOn("waiters") },
  { name: "layers", limitSeconds: 140 },
];

function passOn(name: string): string[] {
  const value = flag(name);
  return typeof value === "string" ? [`--${name}`, value] : [];
}

const only = flag("only");
const selected = typeof only === "string" ? BENCHES.filter((b) => only.split(",").includes(b.name)) : BENCHES;
if (selected.length === 0) {
  console.error(`--only takes a comma-separated list of: ${BENCHES.map((b) => b.name).join(", ")}`);
  process.exit(2);
}

async function runOne(bench: Bench): Promise<Result | { error: string }> {
  const started = performance.now();
  const child = Bun.spawn(["bun", join(import.meta.dir, `${bench.name}.ts`), ...(quick ? ["--quick"] : []), ...(bench.args ?? [])], {
    cwd: ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
    // One load process holds thousands of requests at once; Bun's fetch allows 256 unless told.
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: "16384" },
  });
  const killer = setTimeout(() => child.kill("SIGKILL"), bench.limitSeconds * 1000);
  const out = await new Response(child.stdout).text();
  const status = await child.exited;
  clearTimeout(killer);
  const line = out.split("\n").find((l) => l.startsWith("BENCH_RESULT "));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (status !== 0 || !line) {
    console.error(`[bench] ${bench.name} failed (exit ${status}) after ${seconds} s`);
    return { error: `exit ${status}` };
  }
  console.error(`[bench] ${bench.name} done in ${seconds} s`);
  return JSON.parse(line.slice("BENCH_RESULT ".length)) as Result;
}

interface Row {
  figure: string;
  name: string;
  measured: string;
  target: string;
  met: Check;
  value?: number;
}

const num = (r: Result | undefined, key: string): number | undefined => {
  const v = r?.[key];
  return typeof v === "number" ? v : undefined;
};
const fmt = (v: number | undefined, unit: string, digits = 2) => (v === undefined ? "failed" : `${v.toFixed(digits)} ${unit}`.trim());
const check = (ok: boolean | undefined): Check => (ok === undefined ? "" : ok ? "yes" : "no");
const below = (v: number | undefined, limit: number): Check => (v === undefined ? "no" : check(v < limit));

function rows(results: Record<string, Result>): Row[] {
  const out: Row[] = [];
  const add = (figure: string, name: string, measured: string, target = "", met: Check = "", value?: number) =>
    out.push({ figure, name, measured, target, met, value });
  const w = results["wake-http"];
  if (w) {
    const p50 = num(w, "p50_ms");
    const p99 = num(w, "p99_ms");
    const ratio = num(w, "ratio_p50");
    add(
      "1",
      `wake-up p50, HTTP (${w.messages_per_run ?? "?"} msgs x ${w.runs ?? "?"} runs)`,
      fmt(p50, "ms", 3),
      "< 1 ms",
      below(p50, 1),
      p50,
    );
    add("1", "wake-up p99, HTTP", fmt(p99, "ms", 3), "< 5 ms", below(p99, 5), p99);
    const modernP50 = num(w, "era2026_p50_ms");
    const modernP99 = num(w, "era2026_p99_ms");
    add("1", "2026 era: wake-up p50, HTTP", fmt(modernP50, "ms", 3), "< 1 ms", below(modernP50, 1), modernP50);
    add("1", "2026 era: wake-up p99, HTTP", fmt(modernP99, "ms", 3), "< 5 ms", below(modernP99, 5), modernP99);
    add("1", "bare Bun.serve long-poll p50 / p99", `${fmt(num(w, "bare_p50_ms"), "", 3)} / ${fmt(num(w, "bare_p99_ms"), "ms", 3)}`);
    add("1", "wake-up p50 / bare p50", fmt(ratio, "x"), "< 3x", below(ratio, 3), ratio);
    add(
      "1",
      "SDK transport + Server alone, no storage: p50 / p99; p50 / bare p50",
      `${fmt(num(w, "sdk_floor_p50_ms"), "", 3)} / ${fmt(num(w, "sdk_floor_p99_ms"), "ms", 3)}; ${fmt(num(w, "sdk_floor_ratio_p50"), "x")}`,
    );
    // The message is stored durably before anyone is woken: no wake-up here can take less than both.
    const commitP50 = num(w, "durable_commit_p50_ms");
    const floorP50 = num(w, "sdk_floor_p50_ms");
    const least = commitP50 !== undefined && floorP50 !== undefined ? commitP50 + floorP50 : undefined;
    add(
      "1",
      "one durable commit alone (SQLite, synchronous=FULL): p50 / p99; + the SDK floor's p50",
      `${fmt(commitP50, "", 3)} / ${fmt(num(w, "durable_commit_p99_ms"), "ms", 3)}; ${fmt(least, "ms", 3)}`,
    );
    add(
      "1",
      "2026 era: SDK handler + Server alone, no storage: p50 / p99",
      `${fmt(num(w, "sdk_floor_2026_p50_ms"), "", 3)} / ${fmt(num(w, "sdk_floor_2026_p99_ms"), "ms", 3)}`,
    );
    add(
      "1",
      "wake-up p50 / p99 with the SDK's v2 client: 2025 era; 2026 era",
      `${fmt(num(w, "sdk_client_p50_ms"), "", 3)} / ${fmt(num(w, "sdk_client_p99_ms"), "ms", 3)}; ` +
        `${fmt(num(w, "sdk_client_2026_p50_ms"), "", 3)} / ${fmt(num(w, "sdk_client_2026_p99_ms"), "ms", 3)}`,
    );
  }
  const t = results.throughput;
  if (t) {
    const rate = num(t, "messages_per_second");
    add(
      "2",
      `throughput, ${t.pairs ?? "?"} pairs (send + wait per msg)`,
      fmt(rate, "msg/s", 0),
      ">= 5000 msg/s",
      rate === undefined ? "no" : check(rate >= 5000),
      rate,
    );
    add(
      "2",
      "server CPU per message: all threads / main thread",
      `${fmt(num(t, "server_cpu_us_per_message"), "", 0)} / ${fmt(num(t, "server_main_thread_us_per_message"), "us", 0)}`,
    );
    const modernRate = num(t, "era2026_messages_per_second");
    add(
      "2",
      "2026 era: throughput, same load",
      fmt(modernRate, "msg/s", 0),
      ">= 5000 msg/s",
      modernRate === undefined ? "no" : check(modernRate >= 5000),
      modernRate,
    );
    add(
      "2",
      "2026 era: server CPU per message: all threads / main thread",
      `${fmt(num(t, "era2026_server_cpu_us_per_message"), "", 0)} / ${fmt(num(t, "era2026_server_main_thread_us_per_message"), "us", 0)}`,
    );
    add(
      "2",
      "server cores used / load generator cores",
      `${fmt(num(t, "server_cpu_cores"), "", 2)} / ${fmt(num(t, "load_generator_cpu_cores"), "", 2)}`,
    );
    add(
      "2",
      "SDK transport + Server alone, same MCP load: msg/s / server CPU per msg, all / main thread",
      `${fmt(num(t, "sdk_floor_messages_per_second"), "", 0)} / ${fmt(num(t, "sdk_floor_server_cpu_us_per_message"), "", 0)} / ${fmt(num(t, "sdk_floor_server_main_thread_us_per_message"), "us", 0)}`,
    );
    add(
      "2",
      "bare Bun.serve, same load: msg/s / server CPU per msg",
      `${fmt(num(t, "bare_messages_per_second"), "", 0)} / ${fmt(num(t, "bare_server_cpu_us_per_message"), "us", 0)}`,
    );
  }
  const h = results.waiters;
  if (h) {
    const rss = num(h, "rss_held_mb");
    const max = num(h, "wake_max_ms");
    add(
      "3",
      `waits held at once (of ${h.waiters ?? "?"}, on ${h.sessions ?? "?"} sessions)`,
      String(h.held ?? "failed"),
      "all",
      check(h.held_all === true),
    );
    add("3", "server RSS with every wait held (first round)", fmt(rss, "MB", 1), "< 300 MB", below(rss, 300), rss);
    add(
      "3",
      "RSS idle / with idle sessions / peak",
      `${fmt(num(h, "rss_idle_mb"), "", 0)} / ${fmt(num(h, "rss_sessions_mb"), "", 0)} / ${fmt(num(h, "rss_peak_mb"), "MB", 0)}`,
    );
    add("3", "per session / per held wait", `${fmt(num(h, "kb_per_session"), "", 1)} / ${fmt(num(h, "kb_per_held_wait"), "KB", 1)}`);
    add(
      "3",
      "RSS held: anonymous / mapped files; the SDK floor's",
      `${fmt(num(h, "rss_held_anon_mb"), "", 0)} / ${fmt(num(h, "rss_held_file_mb"), "MB", 0)}; ` +
        `${fmt(num(h, "sdk_floor_rss_held_anon_mb"), "", 0)} / ${fmt(num(h, "sdk_floor_rss_held_file_mb"), "MB", 0)}`,
    );
    add(
      "3",
      `all woken by their message (each of ${h.rounds ?? 1} rounds); last after (median)`,
      `${h.woken ?? "?"} woken, ${fmt(max, "ms", 0)}`,
      "<= 1000 ms",
      check(h.all_woken_within_1s === true),
      max,
    );
    add("3", "wake p50 / p99 after the sends", `${fmt(num(h, "wake_p50_ms"), "", 0)} / ${fmt(num(h, "wake_p99_ms"), "ms", 0)}`);
    const modernRss = num(h, "era2026_rss_held_mb");
    const modernMax = num(h, "era2026_wake_max_ms");
    add(
      "3",
      "2026 era (no sessions): server RSS with every wait held",
      fmt(modernRss, "MB", 1),
      "< 300 MB",
      below(modernRss, 300),
      modernRss,
    );
    add(
      "3",
      "2026 era: held / RSS idle / per held wait",
      `${h.era2026_held ?? "?"} / ${fmt(num(h, "era2026_rss_idle_mb"), "MB", 0)} / ${fmt(num(h, "era2026_kb_per_held_wait"), "KB", 1)}`,
    );
    add(
      "3",
      "2026 era: all woken; last after (median)",
      `${h.era2026_woken ?? "?"} woken, ${fmt(modernMax, "ms", 0)} (p50 ${fmt(num(h, "era2026_wake_p50_ms"), "ms", 0)})`,
      "<= 1000 ms",
      check(h.era2026_woken === h.waiters && modernMax !== undefined && modernMax <= 1000),
      modernMax,
    );
    add(
      "3",
      "SDK transport + Server alone, same waits: RSS held / per session / per wait / last woken",
      `${fmt(num(h, "sdk_floor_rss_held_mb"), "MB", 0)} / ${fmt(num(h, "sdk_floor_kb_per_session"), "KB", 1)} / ${fmt(num(h, "sdk_floor_kb_per_held_wait"), "KB", 1)} / ${fmt(num(h, "sdk_floor_wake_max_ms"), "ms", 0)}` +
        (h.sdk_floor_held_all === true ? "" : ` (held ${h.sdk_floor_held ?? "?"}, woken ${h.sdk_floor_woken ?? "?"})`),
    );
    add(
      "3",
      "bare Bun.serve, same waits: RSS held / per wait / last woken",
      `${fmt(num(h, "bare_rss_held_mb"), "MB", 0)} / ${fmt(num(h, "bare_kb_per_held_wait"), "KB", 1)} / ${fmt(num(h, "bare_wake_max_ms"), "ms", 0)}`,
    );
  }
  const x = results["cross-process"];
  if (x) {
    const p50 = num(x, "p50_ms");
    const p99 = num(x, "p99_ms");
    add(
      "4",
      `cross-process wake-up p50 (2 x --stdio, ${x.messages_per_run ?? "?"} msgs x ${x.runs ?? "?"})`,
      fmt(p50, "ms"),
      "< 20 ms (issue 3: < 50)",
      below(p50, 20),
      p50,
    );
    add("4", "cross-process wake-up p99", fmt(p99, "ms"), "< 200 ms (issue 3)", below(p99, 200), p99);
    add(
      "4",
      "stdio process CPU: no waits / 100 waits",
      `${fmt(num(x, "idle_cpu_percent"), "", 2)} / ${fmt(num(x, "cpu_percent_100_waits"), "% of a core", 2)}`,
    );
  }
  const c = results["cold-start"];
  if (c) {
    const fresh = num(c, "http_new_db_ms");
    add(
      "5",
      `cold start to initialize, HTTP, new db (median of ${c.starts ?? "?"})`,
      fmt(fresh, "ms", 1),
      "< 50 ms",
      below(fresh, 50),
      fresh,
    );
    const existing = num(c, "http_existing_db_ms");
    add("5", "cold start, HTTP, existing db", fmt(existing, "ms", 1), "< 50 ms", below(existing, 50), existing);
    const stdio = num(c, "stdio_existing_db_ms");
    add("5", "cold start, --stdio", fmt(stdio, "ms", 1), "< 50 ms", below(stdio, 50), stdio);
    const modernHttp = num(c, "era2026_http_existing_db_ms");
    const modernStdio = num(c, "era2026_stdio_existing_db_ms");
    add(
      "5",
      "2026 era: cold start to server/discover, HTTP, existing db",
      fmt(modernHttp, "ms", 1),
      "< 50 ms",
      below(modernHttp, 50),
      modernHttp,
    );
    add("5", "2026 era: cold start, --stdio", fmt(modernStdio, "ms", 1), "< 50 ms", below(modernStdio, 50), modernStdio);
    add(
      "5",
      "the SDK floor compiled the same way: HTTP 2025 / 2026 era / stdio",
      `${fmt(num(c, "sdk_floor_http_ms"), "", 1)} / ${fmt(num(c, "sdk_floor_2026_http_ms"), "", 1)} / ${fmt(num(c, "sdk_floor_stdio_ms"), "ms", 1)}`,
    );
  }
  const b = results["binary-size"];
  if (b) {
    const diff = num(b, "difference_mb");
    add("6", "binary size / Bun runtime", `${fmt(num(b, "binary_mb"), "", 1)} / ${fmt(num(b, "runtime_mb"), "MB", 1)}`);
    add("6", "binary minus runtime", fmt(diff, "MB"), "< 3 MB", below(diff, 3), diff);
    add(
      "6",
      "of which any compiled program's floor / mcp-chat's own",
      `${fmt(num(b, "compile_floor_mb"), "", 2)} / ${fmt(num(b, "own_mb"), "MB", 2)}`,
    );
    add("6", "the SDK floor compiled the same way, minus runtime", fmt(num(b, "sdk_floor_mb"), "MB", 2));
  }
  const s = results.storage;
  if (s) {
    const ratio = num(s, "send_ratio");
    const n = num(s, "rows");
    add("7", "bytes on disk per 1 KB message", fmt(num(s, "bytes_per_message"), "B", 0));
    add(
      "7",
      `send p50 at 1 / at ${n?.toLocaleString("en-US") ?? "?"} messages`,
      `${fmt(num(s, "send_p50_at_1_ms"), "", 3)} / ${fmt(num(s, "send_p50_at_n_ms"), "ms", 3)}`,
    );
    add("7", "send p50 ratio (at N / at 1)", fmt(ratio, "x"), "< 1.5x", below(ratio, 1.5), ratio);
    add(
      "7",
      "read p50 at 1 / at N; server RSS at 1 / at N",
      `${fmt(num(s, "read_p50_at_1_ms"), "", 3)} / ${fmt(num(s, "read_p50_at_n_ms"), "ms", 3)}; ${fmt(num(s, "rss_at_1_mb"), "", 0)} / ${fmt(num(s, "rss_at_n_mb"), "MB", 0)}`,
    );
  }
  const l = results.layers;
  if (l) {
    const part = (key: string) => fmt(num(l, key), "", 0);
    add("-", "per message in process: raw SQL (sync FULL / NORMAL)", `${part("sqlite_us")} / ${part("sqlite_sync_normal_us")} us`);
    add("-", "per message in process: domain / + SDK Server", `${part("domain_us")} / ${part("mcp_us")} us`);
    add(
      "-",
      "SQL statements per message: run / prepared anew",
      `${part("statements_run_per_message")} / ${part("statements_prepared_per_message")}`,
    );
    add(
      "-",
      "per message in process: zod / SSE event store",
      `${part("zod_us")} / ${num(l, "events_us") === undefined ? "none" : part("events_us")} us`,
    );
  }
  return out;
}

function table(list: Row[]): string {
  const head = ["#", "figure", "measured", "target", "met"];
  const cells = list.map((r) => [r.figure, r.name, r.measured, r.target, r.met]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

async function git(...args: string[]): Promise<string> {
  const child = Bun.spawn(["git", ...args], { cwd: ROOT, stdout: "pipe", stderr: "ignore" });
  return (await new Response(child.stdout).text()).trim();
}

/** The machine's CPU clock ticks so far: all of them, and the idle ones (/proc/stat). */
function machineTicks(): { idle: number; total: number } {
  const cols = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: cols[3]! + cols[4]!, total: cols.reduce((a, b) => a + b, 0) };
}

/** Clock ticks this process and its finished descendants (the benchmarks, their servers) have used. */
function ownTicks(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return fields[11]! + fields[12]! + fields[13]! + fields[14]!; // utime, stime, cutime, cstime
}

/** Share of the machine's CPU in use over `ms`: other work skews every figure. */
async function machineBusy(ms: number): Promise<number> {
  const a = machineTicks();
  await Bun.sleep(ms);
  const b = machineTicks();
  return 1 - (b.idle - a.idle) / Math.max(1, b.total - a.total);
}

// Give other work (a test run, say) up to 30 s to finish before starting.
let busyBefore = await machineBusy(1_000);
for (let tries = 0; tries < 30 && busyBefore > 0.1; tries++) {
  if (tries === 0) console.error(`[bench] the machine is ${(busyBefore * 100).toFixed(0)}% busy: waiting up to 30 s for it to calm down`);
  busyBefore = await machineBusy(1_000);
}
if (busyBefore > 0.1) {
  console.error(`[bench] warning: the machine is already ${(busyBefore * 100).toFixed(0)}% busy with other work; figures will suffer`);
}
const started = performance.now();
const ticksAtStart = { machine: machineTicks(), own: ownTicks() };
const results: Record<string, Result> = {};
let failed = 0;
for (const bench of selected) {
  console.error(`[bench] running ${bench.name}${quick ? " (quick)" : ""}`);
  const result = await runOne(bench);
  if ("error" in result) failed++;
  results[bench.name] = result;
}
const list = rows(results);
// Work that was not ours during the run: the machine's busy ticks minus our process tree's.
const ticksAtEnd = { machine: machineTicks(), own: ownTicks() };
const machineBusyTicks = ticksAtEnd.machine.total - ticksAtEnd.machine.idle - (ticksAtStart.machine.total - ticksAtStart.machine.idle);
const otherWork =
  Math.max(0, machineBusyTicks - (ticksAtEnd.own - ticksAtStart.own)) / Math.max(1, ticksAtEnd.machine.total - ticksAtStart.machine.total);
const report = {
  generated_at: new Date().toISOString(),
  quick,
  git: { commit: await git("rev-parse", "HEAD"), dirty: (await git("status", "--porcelain", "--", "src", "migrations")) !== "" },
  machine: {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    bun: Bun.version,
    busy_before_percent: Math.round(busyBefore * 100),
    other_work_during_percent: Math.round(otherWork * 100),
  },
  seconds: Math.round((performance.now() - started) / 1000),
  table: list,
  results,
};
// BENCH_RESULTS_FILE: elsewhere than the checkout's own, for a run that must not replace it (the tests').
const resultsFile = process.env.BENCH_RESULTS_FILE || join(ROOT, "bench-results.json");
await Bun.write(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(table(list));
if (quick) console.log("\n(--quick: small counts for a smoke test; the figures do not answer the targets)");
const missed = list.filter((r) => r.met === "no").length;
console.log(
  `\n${list.filter((r) => r.met === "yes").length} targets met, ${missed} missed` +
    `${failed ? `, ${failed} benchmark(s) failed` : ""}; ${report.seconds} s; other work used ${report.machine.busy_before_percent}% ` +
    `of the machine before the run and ${report.machine.other_work_during_percent}% during it; figures in ${relative(ROOT, resultsFile)}`,
);
process.exit(failed ? 1 : 0);
