#!/usr/bin/env bun
// The one entry point: parse options, open the database, serve over HTTP or stdio.
import "./zod-jitless.ts";
import { buildCommit, version, versionText } from "./build-info.ts";
import { ChatChannel } from "./channel.ts";
import { Chat } from "./chat/chat.ts";
import { clientConfig } from "./client-config.ts";
import { type AgentCommand, isAgentCommand, parseAgentCommand } from "./commands/command-line.ts";
import { runAgentCommand } from "./commands/index.ts";
import { setLoopGuard } from "./commands/loop-guard.ts";
import { type CliRequest, type Config, ConfigError, helpText, type PrintConfigRequest, parseCli } from "./config.ts";
import { SqliteEventStore } from "./db/event-store.ts";
import { SessionRecords } from "./db/http-sessions.ts";
import { type ChatDb, openDatabase } from "./db/open.ts";
import { pruneOlderThan } from "./db/retention.ts";
import { SharedFileDoorbell } from "./db/shared-file-doorbell.ts";
import { ChatStore } from "./db/store.ts";
import { serverFigures } from "./figures.ts";
import { Access } from "./http/access.ts";
import { type HttpServer, serveHttp } from "./http/serve.ts";
import { bestEffort, configureLogs, log } from "./log.ts";
import { createMcpServer } from "./mcp-server.ts";
import { RemoteBridge } from "./remote.ts";
import { BunStdioTransport, serveStdio } from "./stdio.ts";
import { chatTools } from "./tools/index.ts";
import type { ChatTool } from "./tools/tool.ts";

async function main(): Promise<void> {
  let request: CliRequest | { kind: "agent"; command: AgentCommand };
  const argv = process.argv.slice(2);
  try {
    // peek, say and tail have command lines of their own.
    request = isAgentCommand(argv[0])
      ? { kind: "agent", command: parseAgentCommand(argv, process.env, process.platform) }
      : parseCli(argv, process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`mcp-chat: ${error.message}\nRun mcp-chat --help to see the options.`);
    process.exit(2);
  }
  if (request.kind === "help") return console.log(helpText());
  if (request.kind === "version") return console.log(versionText());
  if (request.kind === "print-config") return printConfig(request);
  if (request.kind === "backup") return backUp(request.dbPath, request.to);
  if (request.kind === "loop-guard") return setLoopGuard(request.dbPath, request.roomId, request.limit);
  if (request.kind === "agent") return runAgentCommand(request.command);
  configureLogs(request.config.logs.format, request.config.logs.level);
  if (request.config.remote) return relay(request.config.remote, request.config.access.tokens[0], request.config.localName);
  await serve(request.config);
}

/**
 * `--stdio --remote URL`: no database here; every message goes to the remote server and back, with
 * `--as NAME` as the header X-MCP-Chat-Client.
 */
async function relay(url: URL, token: string | undefined, clientName: string | undefined): Promise<void> {
  const stdio = new BunStdioTransport();
  const bridge = new RemoteBridge(url, token, stdio, clientName);
  await stdio.start();
  log(`relaying stdio to ${url.origin}${url.pathname}`);
  await stdio.closed;
  // Calls piped in before stdin ended are still answered, as when serving from a database.
  await until(() => bridge.unanswered === 0, SHUTDOWN_DRAIN_MS);
  await Promise.all([stdio.flush(), bridge.close()]);
  process.exit(0);
}

/** The client's configuration on stdout, alone (it can go straight to a file); where it goes on stderr. */
function printConfig(request: PrintConfigRequest): void {
  // The binary starts itself; run from source, Bun starts src/cli.ts. Both by their full paths.
  const fromSource = buildCommit === undefined ? [Bun.main] : [];
  const server =
    "url" in request
      ? { url: request.url, token: request.token, relay: { command: process.execPath, args: fromSource } }
      : { command: process.execPath, args: [...fromSource, ...request.stdioArgs] };
  const { text, where } = clientConfig(request.client, server);
  process.stdout.write(text);
  console.error(where);
}

/**
 * SQLite's VACUUM INTO: one read transaction, so the copy is consistent while servers go on writing
 * (WAL lets them), and compact. It will not overwrite a file.
 */
function backUp(dbPath: string, to: string): void {
  let db: ChatDb;
  try {
    db = openDatabase(dbPath);
  } catch (error) {
    console.error(`mcp-chat: cannot open the database ${dbPath}: ${(error as Error).message}`);
    process.exit(1);
  }
  // The copy holds every message: private, as the database is.
  const umask = process.umask(0o077);
  try {
    db.$client.run("VACUUM INTO ?", [to]);
  } catch (error) {
    console.error(`mcp-chat: cannot write the backup ${to}: ${(error as Error).message}`);
    process.exit(1);
  } finally {
    process.umask(umask);
  }
  console.log(`backed up ${dbPath} to ${to}`);
}

/** How long a stop waits for answers in flight to reach their clients. */
const SHUTDOWN_DRAIN_MS = 3_000;
const HOUSEKEEPING_EVERY_MS = 60_000;
const RETENTION_EVERY_MS = 60 * 60_000;
/** How long the JIT stays reluctant after the start: well past a first client's initialize. */
const STARTUP_MS = 1_000;

async function serve(config: Config): Promise<void> {
  // The binary starts with the JIT reluctant (scripts/build.ts): start-up code runs once.
  setTimeout(() => Bun.unsafe.setJITPolicy(1), STARTUP_MS).unref();
  let db: ChatDb;
  try {
    db = openDatabase(config.dbPath);
  } catch (error) {
    console.error(`mcp-chat: cannot open the database ${config.dbPath}: ${(error as Error).message}`);
    process.exit(1);
  }
  const store = new ChatStore(db);
  // Other processes may share the file (several --stdio clients, an HTTP server): wake on their commits too.
  const doorbell = new SharedFileDoorbell(db.$client);
  const figures = serverFigures();
  const chat = new Chat({ store, doorbell, timing: config.timing, limits: config.limits, events: figures.chatEvents });
  figures.metrics.gauge(
    "mcp_chat_waiting_calls",
    "Calls blocked in wait_for_message or enter_queue in this process.",
    () => chat.waitingCalls,
  );
  setInterval(() => bestEffort("presence sweep", () => chat.sweepPresence()), chat.presenceSweepEveryMs).unref();
  // Built at the first tool request: their zod schemas take a few ms, and initialize needs none.
  let toolList: ChatTool[] | undefined;
  const tools = () => (toolList ??= chatTools(config.limits, config.timing));

  // Handlers first: a signal that arrives before them would kill the process without cleanup.
  let drain = async () => {};
  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${reason}`);
    // Every waiting call returns its ordinary "nothing yet, call again" result.
    chat.stopWaiting();
    await drain();
    chat.flushBookkeeping();
    store.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  if (config.mode === "stdio") {
    const plainSession = config.localName ? { clientId: chat.localIdentity(config.localName).clientId, named: true } : {};
    const channel = config.channel ? new ChatChannel(chat, plainSession) : undefined;
    const session = channel?.session ?? plainSession;
    const stdio = serveStdio(() => {
      const server = createMcpServer(chat, tools, { session });
      return channel ? channel.serve(server) : server;
    });
    log(`serving over stdio, database ${config.dbPath}`);
    void stdio.closed.then(() => shutdown("stdin closed"));
    drain = async () => {
      channel?.stop();
      // Every call read so far is answered (a wait at once, a send after its commit); then its answer is out.
      await until(() => stdio.unanswered === 0, SHUTDOWN_DRAIN_MS);
      await stdio.flush();
    };
    return;
  }

  if (config.retentionDays !== undefined) {
    const days = config.retentionDays;
    const prune = () =>
      bestEffort("pruning old messages", () => {
        const { messages, rooms } = pruneOlderThan(db.$client, Date.now() - days * 86_400_000);
        if (messages + rooms > 0) log(`retention: deleted ${messages} messages older than ${days} days and ${rooms} empty rooms`);
      });
    prune();
    setInterval(prune, RETENTION_EVERY_MS).unref();
  }
  const events = new SqliteEventStore(db);
  setInterval(() => bestEffort("pruning stream events", () => events.prune()), HOUSEKEEPING_EVERY_MS).unref();
  let access: Access;
  try {
    access = await Access.load(config.access.tokens, config.access.tokenFile, config.access.jwt);
  } catch (error) {
    console.error(`mcp-chat: cannot read the token file ${config.access.tokenFile}: ${(error as Error).message}`);
    process.exit(1);
  }
  if (config.access.tokenFile) process.on("SIGHUP", () => void access.reload().then(() => log("token file read again")));
  let http: HttpServer;
  try {
    http = serveHttp({
      host: config.host,
      port: config.port,
      maxSessions: config.maxSessions,
      newServer: (options) => createMcpServer(chat, tools, options),
      events,
      sessionRecords: new SessionRecords(db),
      access,
      publicUrl: config.access.publicUrl,
      allowedOrigins: config.access.allowedOrigins,
      perAddress: config.perAddress,
      protectedResource: config.access.jwt && { resource: config.access.jwt.audience, authorizationServer: config.access.jwt.issuer },
      stats: () => ({ waiting: chat.waitingCalls, version, database: databaseReachable(db) }),
      figures,
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === "EADDRINUSE" ? `port ${config.port} is already in use` : (error as Error).message;
    console.error(`mcp-chat: cannot listen on ${config.host}:${config.port}: ${why}`);
    process.exit(1);
  }
  drain = async () => {
    http.stopListening();
    await until(() => http.inFlight === 0, SHUTDOWN_DRAIN_MS);
    events.flush();
    await http.close();
  };
  // The first stdout line names the address, so scripts using --port 0 can find it.
  console.log(`mcp-chat listening on ${http.url}`);
  log(`database ${config.dbPath}`);
}

/** Whether the database answers a query (for /health). */
function databaseReachable(db: ChatDb): boolean {
  try {
    db.$client.query("SELECT 1").get();
    return true;
  } catch {
    return false;
  }
}

/** Resolves once `done()` holds, or after `limitMs`. Only for shutdown: it polls. */
async function until(done: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!done() && Date.now() < deadline) await Bun.sleep(10);
}

await main();
