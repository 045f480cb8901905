// Test helpers: start the compiled binary the way users do, and talk to it with the SDK's clients.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Client as V2Client, StreamableHTTPClientTransport as V2HttpTransport } from "@modelcontextprotocol/client";
import { StdioClientTransport as V2StdioTransport } from "@modelcontextprotocol/client/stdio";
import { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Subprocess } from "bun";
import { type Client, pairUp as pairUpWith } from "./tool-calls.ts";

export const BINARY = resolve(import.meta.dir, "..", "dist", "mcp-chat");

if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run ./scripts/build (./scripts/test does)`);

const cleanups: (() => unknown)[] = [];
const children = new Set<Subprocess>();
const dirs = new Set<string>();

/**
 * Closes the clients, stops the servers and removes the folders made so far. Every test file
 * calls `afterAll(cleanUp)`: bun loads this module once for all files, so a hook here would
 * run for the first file only.
 */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

// A safety net for a run that ends early: no server outlives the test process.
process.on("exit", () => {
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder for this test file's databases, removed afterwards. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mcp-chat-test-"));
  dirs.add(dir);
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
  });
  return dir;
}

export const tempDb = () => join(tempDir(), "chat.db");

export interface RunningServer {
  url: URL;
  process: Subprocess<"ignore", "pipe", "pipe">;
  stderr(): string;
  /** SIGKILL: no shutdown code runs, as when a machine loses power or the OOM killer strikes. */
  kill9(): Promise<void>;
  stop(): Promise<number>;
}

/** Starts `mcp-chat` over HTTP on a free port and waits until it listens. */
export async function startHttp(dbPath: string, extraArgs: string[] = []): Promise<RunningServer> {
  const child = Bun.spawn([BINARY, "--port", "0", "--db", dbPath, ...extraArgs], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let errors = "";
  void (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) errors += chunk;
  })();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`mcp-chat exited before listening: ${errors}`);
    out += value;
  }
  reader.releaseLock();
  const match = out.match(/listening on (\S+)/);
  if (!match) throw new Error(`unexpected first line: ${out}`);
  const server: RunningServer = {
    url: new URL(match[1]!),
    process: child,
    stderr: () => errors,
    async kill9() {
      child.kill("SIGKILL");
      await child.exited;
    },
    async stop() {
      child.kill("SIGTERM");
      return child.exited;
    },
  };
  children.add(child);
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await child.exited;
    children.delete(child);
  });
  return server;
}

/**
 * The clients users have: the SDK's v1 client (`@modelcontextprotocol/sdk` 1.32.2, 2025 era only),
 * and its v2 client by default (the 2025 handshake), in automatic version negotiation, and pinned
 * to 2026-07-28. `era` is where each lands against mcp-chat.
 */
export const CLIENT_KINDS = {
  "v1 client": { era: "2025" },
  "v2 client, default": { era: "2025" },
  "v2 client, automatic negotiation": { era: "2026" },
  "v2 client, pinned to 2026-07-28": { era: "2026" },
} as const;
export type ClientKind = keyof typeof CLIENT_KINDS;

function newV2Client(kind: ClientKind, name: string): V2Client {
  const mode =
    kind === "v2 client, automatic negotiation" ? "auto" : kind === "v2 client, pinned to 2026-07-28" ? { pin: "2026-07-28" } : undefined;
  return new V2Client({ name, version: "1.0.0" }, mode ? { versionNegotiation: { mode } } : {});
}

/** A connected SDK client over Streamable HTTP (the v1 client unless told), sending `headers` on every request. */
export async function httpClient(
  server: RunningServer | URL,
  name = "test",
  kind: ClientKind = "v1 client",
  headers: Record<string, string> = {},
): Promise<Client> {
  const url = server instanceof URL ? server : server.url;
  const requestInit = { headers };
  let client: Client;
  let endSession: () => Promise<void>;
  if (kind === "v1 client") {
    const transport = new StreamableHTTPClientTransport(url, { requestInit });
    client = new V1Client({ name, version: "1.0.0" });
    await client.connect(transport);
    endSession = () => transport.terminateSession();
  } else {
    const transport = new V2HttpTransport(url, { requestInit });
    client = newV2Client(kind, name);
    await client.connect(transport);
    endSession = () => transport.terminateSession();
  }
  // The SDK checks results against outputSchema only for tools it has listed.
  await client.listTools();
  cleanups.push(async () => {
    await endSession().catch(() => {});
    await client.close();
  });
  return client;
}

/** A connected SDK client that starts its own `mcp-chat --stdio` on the given database (the v1 client unless told). */
export async function stdioClient(
  dbPath: string,
  extraArgs: string[] = [],
  name = "test",
  kind: ClientKind = "v1 client",
): Promise<Client> {
  const server = { command: BINARY, args: ["--stdio", "--db", dbPath, ...extraArgs], stderr: "pipe" as const };
  let client: Client;
  if (kind === "v1 client") {
    client = new V1Client({ name, version: "1.0.0" });
    await client.connect(new StdioClientTransport(server));
  } else {
    client = newV2Client(kind, name);
    await client.connect(new V2StdioTransport(server));
  }
  await client.listTools();
  cleanups.push(() => client.close());
  return client;
}

/** The protocol revision a v2 client settled on with the server (the v1 client does not say; it speaks only 2025 revisions). */
export const protocolVersionOf = (client: Client) => (client instanceof V2Client ? client.getNegotiatedProtocolVersion() : undefined);

export { call, elapsed, ok, type ToolReply } from "./tool-calls.ts";

/** Two HTTP clients paired by the queue, as in the seed's Alice-and-Bob story. */
export const pairUp = (server: RunningServer) => pairUpWith((name) => httpClient(server, name));
