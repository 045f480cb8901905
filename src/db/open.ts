import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { bundledMigrations } from "./migrations.macro.ts" with { type: "macro" };
import { applyMigrations } from "./migrate.ts";
import * as schema from "./schema.ts";

export type ChatDb = BunSQLiteDatabase<typeof schema> & { $client: Database };

/** How long a writer waits for another process's write lock before giving up (ms). */
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the database file and brings its schema up to date.
 * WAL lets readers in other processes work while one writes. synchronous=NORMAL: a commit
 * survives a killed process at once, and a power cut after the next fsync; the store raises it
 * to FULL (an fsync per commit) for the writes that must survive a power cut on return.
 */
export function openDatabase(path: string): ChatDb {
  // A folder we create is private: the file holds every message, and the tokens of --as identities.
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  applyMigrations(sqlite, bundledMigrations());
  return drizzle({ client: sqlite, schema });
}
