// The command line as a user meets it.

import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { copyFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import packageJson from "../package.json" with { type: "json" };
import { BINARY, cleanUp, httpClient, ok, startHttp, tempDir } from "./helpers.ts";
import { postInitialize } from "./raw-http.ts";

afterAll(cleanUp);

const MIGRATIONS = join(import.meta.dir, "..", "migrations");

/** The migrations in migrations/meta/_journal.json, oldest first. */
const journalEntries = async (): Promise<{ tag: string; when: number }[]> =>
  (await Bun.file(join(MIGRATIONS, "meta", "_journal.json")).json()).entries;

/** A database file as an older version left it: only `entries` applied, and recorded as drizzle does. */
async function olderDatabase(path: string, entries: { tag: string; when: number }[]): Promise<Database> {
  const old = new Database(path);
  old.run("CREATE TABLE __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)");
  for (const entry of entries) {
    for (const statement of (await Bun.file(join(MIGRATIONS, `${entry.tag}.sql`)).text()).split("--> statement-breakpoint")) {
      old.run(statement);
    }
    old.run("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('old', ?)", [entry.when]);
  }
  return old;
}

const run = (...args: string[]) => {
  const result = Bun.spawnSync([BINARY, ...args], { env: { ...process.env, PORT: "" } });
  return { code: result.exitCode, out: result.stdout.toString(), err: result.stderr.toString() };
};

describe("mcp-chat", () => {
  test("--version prints the version and the commit the binary was built from", () => {
    const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"]).stdout.toString().trim();
    const { code, out } = run("--version");
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^mcp-chat ${packageJson.version.replaceAll(".", "\\.")}, commit ${head}(-dirty)?\n$`));
    // From source there is no commit baked in, and it says so.
    const fromSource = Bun.spawnSync([process.execPath, join(import.meta.dir, "..", "src", "cli.ts"), "--version"]);
    expect(fromSource.stdout.toString()).toBe(`mcp-chat ${packageJson.version}, run from source\n`);
  });

  test("--help lists every option with its environment variable", () => {
    const { code, out } = run("--help");
    expect(code).toBe(0);
    for (const text of ["--stdio", "--port", "PORT", "--db", "MCP_CHAT_DB", "--host", "--max-wait", "--default-wait"]) {
      expect(out).toContain(text);
    }
  });

  test("--print-config gives each client a configuration that starts this very binary", async () => {
    const db = join(tempDir(), "chat.db");
    const codex = run("--print-config", "codex", "--as", "planner", "--db", db);
    expect(codex.code).toBe(0);
    expect(codex.err).toContain("~/.codex/config.toml");
    const server = (Bun.TOML.parse(codex.out) as any).mcp_servers["mcp-chat"];
    expect(server).toEqual({ command: BINARY, args: ["--stdio", "--as", "planner", "--db", db] });
    // What the client would do with it: start the command and talk MCP.
    const client = new Client({ name: "print-config", version: "1.0.0" });
    await client.connect(new StdioClientTransport({ ...server, stderr: "pipe" }));
    const me = await client.callTool({ name: "whoami", arguments: {} });
    expect(me.structuredContent).toMatchObject({ sender: "planner" });
    await client.close();
    for (const client of ["claude-code", "claude-desktop", "cursor", "vscode"]) {
      const printed = run("--print-config", client, "--url", "http://127.0.0.1:8000/mcp");
      expect({ client, code: printed.code, parses: typeof JSON.parse(printed.out) }).toEqual({ client, code: 0, parses: "object" });
    }
  });

  test("--print-config --url --token gives a configuration a token-protected server accepts", async () => {
    const token = "print-config-test-token-0123456789";
    const server = await startHttp(join(tempDir(), "chat.db"), ["--token", token]);
    const printed = run("--print-config", "claude-code", "--url", server.url.href, "--token", token);
    const entry = JSON.parse(printed.out).mcpServers["mcp-chat"];
    const initialize = (headers: Record<string, string>) => postInitialize(entry.url, headers, "print-config");
    expect((await initialize({})).status).toBe(401);
    const accepted = await initialize(entry.headers);
    expect(accepted.status).toBe(200);
    await accepted.body?.cancel();
    await server.stop();
  });

  test("a bad option or value is a clear error with exit code 2", () => {
    expect(run("--nope")).toMatchObject({ code: 2, err: expect.stringContaining("--nope") });
    expect(run("--port", "http")).toMatchObject({ code: 2, err: expect.stringContaining("--port must be a number") });
    expect(run("--default-wait", "100", "--max-wait", "10")).toMatchObject({ code: 2 });
    expect(run("--queue-grace", "0")).toMatchObject({ code: 2, err: expect.stringContaining("--queue-grace") });
  });

  test("the database goes to $XDG_DATA_HOME/mcp-chat/chat.db by default, made current by the embedded migrations", async () => {
    const dataHome = tempDir();
    const child = Bun.spawn([BINARY, "--port", "0"], {
      env: { ...process.env, XDG_DATA_HOME: dataHome, MCP_CHAT_DB: "" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const reader = child.stdout.getReader();
    await reader.read(); // the "listening on" line
    // Private: the folder 0700, the file and its WAL 0600, whatever the umask.
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(dataHome, "mcp-chat"))).toBe(0o700);
    expect(mode(join(dataHome, "mcp-chat", "chat.db"))).toBe(0o600);
    expect(mode(join(dataHome, "mcp-chat", "chat.db-wal"))).toBe(0o600);
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    const db = new Database(join(dataHome, "mcp-chat", "chat.db"), { readonly: true });
    const tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t: any) => t.name)).toEqual(
      expect.arrayContaining(["memberships", "messages", "participants", "queue_entries", "rooms"]),
    );
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    db.close();
  });

  test("restarting on an existing file applies no migration twice", async () => {
    const path = join(tempDir(), "chat.db");
    for (let i = 0; i < 2; i++) await (await startHttp(path)).stop();
    const db = new Database(path, { readonly: true });
    const applied = db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number };
    db.close();
    expect(applied.n).toBe((await journalEntries()).length);
  });

  test("an older database file gets only the migrations it lacks, and keeps its rows", async () => {
    const path = join(tempDir(), "old.db");
    const entries = await journalEntries();
    const old = await olderDatabase(path, entries.slice(0, 1));
    old.run("INSERT INTO participants VALUES ('p_old', 'hash', 'Old Timer', 1, 1)");
    old.run("INSERT INTO rooms VALUES ('r_old', 'group', 3, 1)");
    old.run("INSERT INTO memberships VALUES ('r_old', 'p_old', 2, 1, NULL)");
    old.close();

    await (await startHttp(path)).stop();

    const db = new Database(path, { readonly: true });
    const applied = db.query("SELECT created_at FROM __drizzle_migrations ORDER BY created_at").all() as { created_at: number }[];
    expect(applied.map((row) => Number(row.created_at))).toEqual(entries.map((e) => e.when));
    expect(db.query("SELECT display_name FROM participants").all()).toEqual([{ display_name: "Old Timer" }]);
    // 0004 rebuilt memberships (WITHOUT ROWID): the member and their read cursor came along.
    expect(db.query("SELECT room_id, participant_id, read_seq FROM memberships").all()).toEqual([
      { room_id: "r_old", participant_id: "p_old", read_seq: 2 },
    ]);
    db.close();
  });

  test("a stream event kept before the upgrade that keyed events by second is still replayed, and pruned in time", async () => {
    const path = join(tempDir(), "old-events.db");
    const entries = await journalEntries();
    const old = await olderDatabase(
      path,
      entries.slice(
        0,
        entries.findIndex((e) => e.tag.endsWith("stream_events_by_second")),
      ),
    );
    // What the old version kept: the answer to request 3 on a stream whose priming event was seq 1.
    const answer = { jsonrpc: "2.0", id: 3, result: { content: [{ type: "text", text: "kept" }] } };
    const storedAt = Date.now();
    old.run("INSERT INTO stream_events (stream_id, seq, message, created_at) VALUES ('old-session.stream', 2, ?, ?)", [
      JSON.stringify(answer),
      storedAt,
    ]);
    old.close();

    const server = await startHttp(path);
    const replay = await fetch(server.url, {
      headers: { accept: "text/event-stream", "mcp-session-id": "old-session", "last-event-id": "old-session.stream/1" },
    });
    expect(replay.status).toBe(200);
    expect(await replay.text()).toContain(`id: old-session.stream/2\ndata: ${JSON.stringify(answer)}`);
    await server.stop();
    // Pruning goes by the second: the event's must be the second it was stored in.
    const db = new Database(path, { readonly: true });
    expect(db.query("SELECT typeof(second) AS type, second FROM stream_events").all()).toEqual([
      { type: "integer", second: Math.floor(storedAt / 1000) },
    ]);
    db.close();
  });

  test("--stdio exits when its client closes stdin, as desktop clients expect", async () => {
    const child = Bun.spawn([BINARY, "--stdio", "--db", join(tempDir(), "chat.db")], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    await Bun.sleep(200);
    child.stdin.end();
    const exited = await Promise.race([child.exited, Bun.sleep(3_000).then(() => "still running")]);
    if (exited === "still running") child.kill("SIGKILL");
    expect(exited).toBe(0);
  });

  test("the binary runs alone: no node_modules, no migrations folder, no Bun beside it", async () => {
    const alone = tempDir();
    const copy = join(alone, "mcp-chat");
    copyFileSync(BINARY, copy);
    Bun.spawnSync(["chmod", "+x", copy]);
    const child = Bun.spawn([copy, "--port", "0", "--db", join(alone, "chat.db")], {
      cwd: alone,
      env: { PATH: "/usr/bin:/bin", HOME: alone },
      stdout: "pipe",
      stderr: "pipe",
    });
    const { value } = await child.stdout.getReader().read();
    const url = new URL(new TextDecoder().decode(value).match(/listening on (\S+)/)![1]!);
    const client = await httpClient(url);
    expect(await ok(client, "join_room", { room_id: "alone", display_name: "Solo" })).toMatchObject({ room_id: "alone" });
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
  });
});
