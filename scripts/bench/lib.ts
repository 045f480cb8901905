// Shared by the benchmarks: start the compiled binary, talk MCP over plain fetch, count and report.
// Every benchmark runs as its own process (spawned by main.ts), prints progress on stderr and
// one line `BENCH_RESULT {json}` on stdout. Everything here talks to 127.0.0.1 only.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { buildBinary } from "../build.ts";

export const ROOT = resolve(import.meta.dir, "..", "..");
/** The binary under test: ./scripts/bench/run benchmarks a copy, so a rebuild meanwhile cannot change it. */
export const BINARY = process.env.BENCH_BINARY || join(ROOT, "dist", "mcp-chat");
export const PROTOCOL_VERSION = "2025-11-25";
export const MODERN_PROTOCOL_VERSION = "2026-07-28";
/** The protocol eras a server is measured in: a 2025 session, or 2026 requests that stand alone. */
export type Era = "2025" | "2026";

// ---------------------------------------------------------------- arguments

/** `--name value` or `--name` (true) from argv. */
export function flag(name: string): string | true | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const next = process.argv[i + 1];
  return next === undefined || next.startsWith("--") ? true : next;
}

export const quick = flag("quick") === true;

export function numberFlag(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined || raw === true) return fallback;
  const value = Number(raw.replace(/_/g, ""));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, not "${raw}"`);
  return value;
}

// ---------------------------------------------------------------- lifecycle

const cleanups: (() => unknown)[] = [];
export const onCleanup = (fn: () => unknown) => void cleanups.push(fn);

async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn();
    } catch {}
  }
}

export const log = (...parts: unknown[]) => console.error(`[bench ${benchName}]`, ...parts);
let benchName = "?";

/**
 * Runs a benchmark: a hard deadline (the process exits by itself), cleanup of every process and
 * folder it made, and the result printed as one JSON line on stdout.
 */
export async function runBench(name: string, deadlineMs: number, body: () => Promise<Record<string, unknown>>) {
  benchName = name;
  const killer = setTimeout(async () => {
    log(`deadline of ${deadlineMs / 1000} s passed: giving up`);
    await cleanup();
    process.exit(3);
  }, deadlineMs);
  try {
    const result = await body();
    console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
  } catch (error) {
    log("failed:", error);
    await cleanup();
    process.exit(1);
  }
  clearTimeout(killer);
  await cleanup();
  process.exit(0);
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-chat-bench-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Rejects if `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => Bun.sleep(ms);

// ---------------------------------------------------------------- processes

export interface Served {
  url: string;
  pid: number;
  process: Subprocess<"ignore", "pipe", "pipe">;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts a process that prints `... listening on URL` as its first stdout line (the binary with
 * --port 0, bare-server.ts or sdk-floor-server.ts) and resolves once it listens.
 */
export async function startListening(cmd: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<Served> {
  const child = Bun.spawn(cmd, { cwd, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  let errors = "";
  void (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      if (errors.length < 64_000) errors += chunk;
    }
  })();
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const exited = await Promise.race([child.exited.then(() => true), sleep(3_000).then(() => false)]);
    if (!exited) {
      child.kill("SIGKILL");
      await child.exited;
    }
  };
  onCleanup(stop);
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const firstLine = (async () => {
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`${cmd.join(" ")} exited before listening: ${errors}`);
      out += value;
    }
  })();
  await within(firstLine, 10_000, `${cmd[0]} to listen`);
  reader.releaseLock();
  const match = out.match(/listening on (\S+)/);
  if (!match) throw new Error(`unexpected first line: ${out}`);
  return { url: match[1]!, pid: child.pid, process: child, stderr: () => errors, stop };
}

/**
 * The server command: the compiled binary, unless BENCH_SERVER names another command to profile
 * with, e.g. BENCH_SERVER="bun --cpu-prof-md --cpu-prof-dir=/tmp/prof src/cli.ts".
 */
export function serverCommand(): string[] {
  const custom = process.env.BENCH_SERVER?.trim();
  if (custom) return custom.split(/\s+/);
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run ./scripts/build`);
  return [BINARY];
}

/**
 * A benchmark is no honest agent: it sends thousands of messages a minute from one participant.
 * Binaries with rate limits (and a loop guard) get them lifted (older ones, measured for comparison, have none).
 */
export function unlimited(command: string[]): string[] {
  const key = command.join(" ");
  let flags = unlimitedFlags.get(key);
  if (!flags) {
    const help = Bun.spawnSync([...command, "--help"]).stdout.toString();
    flags = help.includes("--rate-sends") ? ["--rate-sends", "1000000000", "--rate-joins", "1000000000", "--rate-queue", "1000000000"] : [];
    // Its pairs talk agent to agent for thousands of messages: the loop guard would pause them.
    if (help.includes("--loop-guard")) flags.push("--loop-guard", "0");
    unlimitedFlags.set(key, flags);
  }
  return flags;
}

/** Asked once per command: a `--help` run inside startServer would otherwise add a whole process start to cold-start. */
const unlimitedFlags = new Map<string, string[]>();

/** The server over HTTP on a free port. */
export function startServer(db: string, extraArgs: string[] = []): Promise<Served> {
  const command = serverCommand();
  return startListening([...command, "--port", "0", "--db", db, ...unlimited(command), ...extraArgs], {}, ROOT);
}

/** A floor server from this folder, run from source: bare-server.ts or sdk-floor-server.ts. */
export function startFloor(file: "bare-server.ts" | "sdk-floor-server.ts"): Promise<Served> {
  return startListening(["bun", join(import.meta.dir, file)]);
}

/**
 * sdk-floor-server.ts compiled into `dir` by the binary's own build (its plugins, bytecode,
 * minified): the stack's start-up and size with none of mcp-chat's code. Gives the executable.
 */
export async function compiledSdkFloor(dir: string): Promise<string> {
  const outfile = join(dir, "sdk-floor");
  await buildBinary({ outfile, commit: "floor", entrypoint: join(import.meta.dir, "sdk-floor-server.ts") });
  return outfile;
}

/**
 * Resident memory of a process in bytes (VmRSS), its peak (VmHWM), and what the RSS holds:
 * anonymous memory (the JavaScript heap, native objects, allocators' free space) and mapped files
 * (the executable).
 */
export function memoryOf(pid: number): { rss: number; peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM"), anon: kb("RssAnon"), file: kb("RssFile") };
}

/** Each thread's run time when last read, in ns, by "PID/TID". */
const threadNs = new Map<string, number>();

/**
 * CPU seconds a process has used so far, all its threads: the sum of each thread's run time in
 * /proc/PID/task/TID/schedstat (nanoseconds; /proc/PID/stat counts only in 10 ms ticks). Bun's
 * helper threads come and go: one that has ended counts with its last reading, else the sum would
 * drop by its whole lifetime and a difference of two readings could come out below the main thread's.
 */
export function cpuSecondsOf(pid: number): number {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threadNs.set(`${pid}/${tid}`, Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]));
    } catch {} // the thread ended meanwhile
  }
  let ns = 0;
  for (const [key, value] of threadNs) if (key.startsWith(`${pid}/`)) ns += value;
  return ns / 1e9;
}

/** CPU seconds the main thread of a process (where all JavaScript runs) has used so far. */
export function mainThreadCpuSecondsOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e9;
}

/** CPU seconds this process has used so far. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

// ---------------------------------------------------------------- MCP over plain fetch

export type Json = Record<string, unknown>;

export class McpError extends Error {}

/**
 * One client spoken with plain fetch: the lightest load generator that still goes through the
 * whole server (JSON-RPC, zod, the tool, SSE framing). In the 2025 era a Streamable HTTP session
 * (initialize, then Mcp-Session-Id); in the 2026 era requests that stand alone, each with its
 * version in `_meta` and the headers, and the client_id that enter_queue or join_room returned.
 */
export class McpSession {
  sessionId = "";
  /** 2026 era: the caller's client_id, passed on every call. */
  clientId: string | undefined;
  private nextId = 1;
  private headers: Record<string, string>;
  private readonly meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN_PROTOCOL_VERSION,
    "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };

  constructor(
    readonly url: string,
    readonly era: Era = "2025",
  ) {
    this.headers = {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": era === "2026" ? MODERN_PROTOCOL_VERSION : PROTOCOL_VERSION,
    };
  }

  /** Connected as a client of the era connects: initialize, or server/discover. */
  static async open(url: string, era: Era = "2025"): Promise<McpSession> {
    const session = new McpSession(url, era);
    if (era === "2026") await session.discover();
    else await session.initialize();
    return session;
  }

  async discover(): Promise<Json> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { ...this.headers, "Mcp-Method": "server/discover" },
      body: JSON.stringify({ jsonrpc: "2.0", id: this.nextId++, method: "server/discover", params: { _meta: this.meta } }),
      signal: AbortSignal.timeout(10_000),
    });
    return parseReply(await response.text());
  }

  async initialize(): Promise<Json> {
    const response = await fetch(this.url, {
      method: "POST",
      headers: this.headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: this.nextId++,
        method: "initialize",
        params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const id = response.headers.get("mcp-session-id");
    const reply = parseReply(await response.text());
    if (!id) throw new McpError(`initialize gave no session id (HTTP ${response.status})`);
    this.sessionId = id;
    this.headers = { ...this.headers, "Mcp-Session-Id": id };
    const note = await fetch(this.url, {
      method: "POST",
      headers: this.headers,
      body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      signal: AbortSignal.timeout(10_000),
    });
    await note.arrayBuffer();
    return reply;
  }

  /** Calls a tool; resolves with its structuredContent, rejects on an error result. */
  async call(name: string, args: Json, timeoutMs = 30_000): Promise<Json> {
    const result = await this.callTool(name, args, timeoutMs);
    if (result.isError) throw new McpError(`${name}: ${JSON.stringify(result.data)}`);
    return result.data;
  }

  /**
   * Calls a tool and resolves with its result, an error result too; rejects only when no tool
   * result came back (the connection failed, or a JSON-RPC error such as an unknown session).
   */
  async callTool(name: string, args: Json, timeoutMs = 30_000): Promise<{ isError: boolean; data: Json }> {
    const modern = this.era === "2026";
    const withCaller = modern && this.clientId !== undefined && args.client_id === undefined ? { ...args, client_id: this.clientId } : args;
    const meta = modern ? `,"_meta":${JSON.stringify(this.meta)}` : "";
    const response = await fetch(this.url, {
      method: "POST",
      headers: modern ? { ...this.headers, "Mcp-Method": "tools/call", "Mcp-Name": name } : this.headers,
      body: `{"jsonrpc":"2.0","id":${this.nextId++},"method":"tools/call","params":{"name":"${name}","arguments":${JSON.stringify(withCaller)}${meta}}}`,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const reply = parseReply(await response.text());
    const result = reply.result as { structuredContent?: Json; isError?: boolean } | undefined;
    if (!result?.structuredContent) throw new McpError(`${name}: ${JSON.stringify(reply).slice(0, 300)}`);
    if (!result.isError && typeof result.structuredContent.client_id === "string") this.clientId = result.structuredContent.client_id;
    return { isError: result.isError === true, data: result.structuredContent };
  }

  async close(): Promise<void> {
    if (this.era === "2026") return;
    try {
      const response = await fetch(this.url, { method: "DELETE", headers: this.headers, signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
    } catch {}
  }
}

/**
 * The JSON-RPC message of a reply: a plain JSON body, or the first non-empty `data:` line of an
 * SSE stream (a resumable stream starts with a priming event whose data is empty).
 */
export function parseReply(text: string): Json {
  let at = text.indexOf("data: ");
  if (at < 0) return JSON.parse(text) as Json;
  while (at >= 0) {
    const end = text.indexOf("\n", at);
    const data = text.slice(at + 6, end < 0 ? undefined : end).trim();
    if (data) return JSON.parse(data) as Json;
    at = text.indexOf("data: ", at + 6);
  }
  throw new McpError(`no data in reply: ${text.slice(0, 200)}`);
}

/** Two sessions paired by the queue into a private room, as two strangers would be; with their client_ids. */
export async function openPair(
  url: string,
  names = ["Alice", "Bob"],
  era: Era = "2025",
): Promise<{ a: McpSession; b: McpSession; room: string; clientIds: [string, string] }> {
  const [a, b] = await Promise.all([McpSession.open(url, era), McpSession.open(url, era)]);
  const first = a.call("enter_queue", { display_name: names[0], timeout: 10 }, 15_000);
  await sleep(5); // let the first caller be the one in line
  let second = await b.call("enter_queue", { display_name: names[1], timeout: 10 }, 15_000);
  const matchedFirst = await first;
  if (second.status !== "matched") second = await b.call("enter_queue", { display_name: names[1], timeout: 10 }, 15_000);
  if (matchedFirst.status !== "matched" || matchedFirst.room_id !== second.room_id) {
    throw new Error(`pairing failed: ${JSON.stringify([matchedFirst, second])}`);
  }
  return { a, b, room: String(matchedFirst.room_id), clientIds: [String(matchedFirst.client_id), String(second.client_id)] };
}

// ---------------------------------------------------------------- numbers

/** Nearest-rank percentile of unsorted numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/**
 * `list` rotated left by `by`: the order of run `by` when several servers are measured in turns,
 * so none always gets the warmer (or the busier) machine.
 */
export const rotated = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length]!);

/** A message body of exactly `bytes` ASCII characters. */
export const bodyOf = (bytes: number, tag = "") => (tag + "x".repeat(bytes)).slice(0, bytes);
