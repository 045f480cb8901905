// Figure 5: cold start, from spawning the process to the first successful initialize reply.
// Over HTTP on a new database file (migrations run), over HTTP on an existing file, and over stdio
// (what a desktop client that starts `mcp-chat --stdio` waits for). Median of several starts each.
import { join } from "node:path";
import {
  log,
  median,
  numberFlag,
  PROTOCOL_VERSION,
  parseReply,
  quick,
  round,
  runBench,
  serverCommand,
  startServer,
  tempDir,
  within,
} from "./lib.ts";

const STARTS = numberFlag("starts", quick ? 3 : 10);

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } },
});

/** Spawn to the initialize reply read in full (the clock stops there; the server is stopped after). */
async function httpStart(db: string): Promise<number> {
  const started = performance.now();
  const server = await startServer(db);
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: initialize,
    signal: AbortSignal.timeout(10_000),
  });
  const reply = parseReply(await response.text());
  const elapsed = performance.now() - started;
  if (!(reply.result as { protocolVersion?: string } | undefined)?.protocolVersion)
    throw new Error(`initialize failed: ${JSON.stringify(reply)}`);
  await server.stop();
  return elapsed;
}

async function stdioStart(db: string): Promise<number> {
  const started = performance.now();
  const child = Bun.spawn([...serverCommand(), "--stdio", "--db", db], { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  child.stdin.write(`${initialize}\n`);
  child.stdin.flush();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  await within(
    (async () => {
      while (!out.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error("stdio server exited before answering");
        out += value;
      }
    })(),
    10_000,
    "stdio initialize",
  );
  const elapsed = performance.now() - started;
  if (!out.includes('"protocolVersion"')) throw new Error(`stdio initialize failed: ${out}`);
  child.stdin.end();
  child.kill("SIGTERM");
  await child.exited;
  return elapsed;
}

await runBench("cold-start", 120_000, async () => {
  const dir = tempDir();
  await httpStart(join(dir, "warm.db")); // page the binary in once; also makes the "existing" file
  const fresh: number[] = [];
  const existing: number[] = [];
  const stdio: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    fresh.push(await httpStart(join(dir, `fresh-${i}.db`)));
    existing.push(await httpStart(join(dir, "warm.db")));
    stdio.push(await stdioStart(join(dir, "warm.db")));
  }
  const result = {
    starts: STARTS,
    http_new_db_ms: round(median(fresh), 1),
    http_existing_db_ms: round(median(existing), 1),
    stdio_existing_db_ms: round(median(stdio), 1),
    http_new_db_max_ms: round(Math.max(...fresh), 1),
  };
  log(
    `median of ${STARTS}: new db ${result.http_new_db_ms} ms, existing db ${result.http_existing_db_ms} ms, stdio ${result.stdio_existing_db_ms} ms`,
  );
  return result;
});
