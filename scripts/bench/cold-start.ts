// Figure 5: cold start, from spawning the process to the first successful reply to a client's
// opening: initialize (2025 era) or server/discover (2026). Over HTTP on a new database file
// (migrations run), over HTTP on an existing file, and over stdio (what a desktop client that
// starts `mcp-chat --stdio` waits for), in both eras. Median of several starts each. In turn with
// them, the SDK floor (sdk-floor-server.ts: the SDK and Bun.serve, no storage, none of mcp-chat's
// code) compiled as the binary is, over HTTP and stdio: how long the stack alone takes to its first reply.
import { join } from "node:path";
import {
  compiledSdkFloor,
  type Era,
  log,
  MODERN_PROTOCOL_VERSION,
  median,
  numberFlag,
  PROTOCOL_VERSION,
  parseReply,
  quick,
  round,
  runBench,
  type Served,
  serverCommand,
  startListening,
  startServer,
  tempDir,
  within,
} from "./lib.ts";

const STARTS = numberFlag("starts", quick ? 3 : 10);

/** A client's first request in each era, and what its reply must hold. */
const opening = {
  "2025": {
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } },
    }),
    headers: {},
    says: '"protocolVersion"',
  },
  "2026": {
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "server/discover",
      params: {
        _meta: {
          "io.modelcontextprotocol/protocolVersion": MODERN_PROTOCOL_VERSION,
          "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" },
          "io.modelcontextprotocol/clientCapabilities": {},
        },
      },
    }),
    headers: { "MCP-Protocol-Version": MODERN_PROTOCOL_VERSION, "Mcp-Method": "server/discover" },
    says: '"supportedVersions"',
  },
} as const;

/** Spawn to the opening's reply read in full (the clock stops there; the server is stopped after). */
async function httpStart(start: () => Promise<Served>, era: Era = "2025"): Promise<number> {
  const started = performance.now();
  const server = await start();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...opening[era].headers },
    body: opening[era].body,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (!text.includes(opening[era].says)) throw new Error(`${era} opening failed: ${JSON.stringify(parseReply(text))}`);
  await server.stop();
  return elapsed;
}

async function stdioStart(command: string[], era: Era = "2025"): Promise<number> {
  const started = performance.now();
  const child = Bun.spawn(command, { stdin: "pipe", stdout: "pipe", stderr: "ignore" });
  child.stdin.write(`${opening[era].body}\n`);
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
  if (!out.includes(opening[era].says)) throw new Error(`stdio ${era} opening failed: ${out}`);
  child.stdin.end();
  child.kill("SIGTERM");
  await child.exited;
  return elapsed;
}

await runBench("cold-start", 150_000, async () => {
  const dir = tempDir();
  const on = (db: string) => () => startServer(join(dir, db));
  const floorBinary = await compiledSdkFloor(dir);
  const floor = () => startListening([floorBinary]);
  const floorOverStdio = [floorBinary, "--stdio"];
  const ours = [...serverCommand(), "--stdio", "--db", join(dir, "warm.db")];
  await httpStart(on("warm.db")); // page the binary in once; also makes the "existing" file
  await httpStart(floor);
  const fresh: number[] = [];
  const existing: number[] = [];
  const stdio: number[] = [];
  const modernHttp: number[] = [];
  const modernStdio: number[] = [];
  const floorHttp: number[] = [];
  const floorModernHttp: number[] = [];
  const floorStdio: number[] = [];
  for (let i = 0; i < STARTS; i++) {
    fresh.push(await httpStart(on(`fresh-${i}.db`)));
    existing.push(await httpStart(on("warm.db")));
    floorHttp.push(await httpStart(floor));
    stdio.push(await stdioStart(ours));
    modernHttp.push(await httpStart(on("warm.db"), "2026"));
    floorModernHttp.push(await httpStart(floor, "2026"));
    modernStdio.push(await stdioStart(ours, "2026"));
    floorStdio.push(await stdioStart(floorOverStdio));
  }
  const result = {
    starts: STARTS,
    http_new_db_ms: round(median(fresh), 1),
    http_existing_db_ms: round(median(existing), 1),
    stdio_existing_db_ms: round(median(stdio), 1),
    http_new_db_max_ms: round(Math.max(...fresh), 1),
    era2026_http_existing_db_ms: round(median(modernHttp), 1),
    era2026_stdio_existing_db_ms: round(median(modernStdio), 1),
    sdk_floor_http_ms: round(median(floorHttp), 1),
    sdk_floor_2026_http_ms: round(median(floorModernHttp), 1),
    sdk_floor_stdio_ms: round(median(floorStdio), 1),
  };
  log(
    `median of ${STARTS}: new db ${result.http_new_db_ms} ms, existing db ${result.http_existing_db_ms} ms, stdio ${result.stdio_existing_db_ms} ms; ` +
      `2026 era: HTTP ${result.era2026_http_existing_db_ms} ms, stdio ${result.era2026_stdio_existing_db_ms} ms; ` +
      `the SDK floor compiled: HTTP ${result.sdk_floor_http_ms} ms, 2026 era ${result.sdk_floor_2026_http_ms} ms, ` +
      `stdio ${result.sdk_floor_stdio_ms} ms`,
  );
  return result;
});
