#!/usr/bin/env bun
// The one entry point: parse options, open the database, serve over HTTP or stdio.
import packageJson from "../package.json" with { type: "json" };
import { Chat } from "./chat/chat.ts";
import { LocalDoorbell } from "./chat/doorbell.ts";
import { type Config, ConfigError, helpText, parseCli } from "./config.ts";
import { openDatabase } from "./db/open.ts";
import { ChatStore } from "./db/store.ts";
import { serveHttp } from "./http/serve.ts";
import { log } from "./log.ts";
import { createMcpServer, toolListing } from "./mcp-server.ts";
import { serveStdio } from "./stdio.ts";
import { chatTools } from "./tools/index.ts";

async function main(): Promise<void> {
  let request;
  try {
    request = parseCli(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`mcp-chat: ${error.message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (request.kind === "help") return console.log(helpText());
  if (request.kind === "version") return console.log(packageJson.version);
  await serve(request.config);
}

async function serve(config: Config): Promise<void> {
  const store = new ChatStore(openDatabase(config.dbPath));
  const chat = new Chat({ store, doorbell: new LocalDoorbell(), timing: config.timing, limits: config.limits });
  const tools = chatTools(config.limits, config.timing);
  const listing = toolListing(tools);
  const newServer = () => createMcpServer(chat, tools, listing);

  let stop: () => Promise<void>;
  if (config.mode === "stdio") {
    const { closed } = await serveStdio(newServer());
    log(`serving over stdio, database ${config.dbPath}`);
    stop = async () => {};
    void closed.then(() => shutdown("stdin closed"));
  } else {
    const http = serveHttp({ host: config.host, port: config.port, newServer });
    // The first stdout line names the address, so scripts using --port 0 can find it.
    console.log(`mcp-chat listening on ${http.url}`);
    log(`database ${config.dbPath}`);
    stop = () => http.close();
  }

  let stopping = false;
  async function shutdown(reason: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${reason}`);
    await stop();
    store.close();
    process.exit(0);
  }
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

await main();
