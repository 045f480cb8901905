import { Database } from "bun:sqlite";
import { type BunSQLiteDatabase, drizzle } from "drizzle-orm/bun-sqlite";
import { applyMigrations } from "./migrate.ts";
import { bundledMigrations } from "./migrations.macro.ts" with { type: "macro" };
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
  const sqlite = openFile(path);
  sqlite.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.run("PRAGMA journal_mode = WAL");
  sqlite.run("PRAGMA synchronous = NORMAL");
  sqlite.run("PRAGMA foreign_keys = ON");
  applyMigrations(sqlite, bundledMigrations());
  return drizzle({ client: sqlite, schema });
}

/**
 * Opens the file, creating its folder if it is missing (the first run on the default path). A file
 * made here is readable by its owner only: it holds every message (issue 19, #12). SQLite gives the
 * -wal and -shm files the database file's permissions.
 */
function openFile(path: string): Database {
  const umask = process.umask(0o077);
  try {
    return openOrMakeFolder(path);
  } finally {
    process.umask(umask);
  }
}

function openOrMakeFolder(path: string): Database {
  try {
    return new Database(path, { create: true, strict: true });
  } catch (error) {
    if ((error as { code?: string }).code !== "SQLITE_CANTOPEN") throw error;
    // Fetched here, not imported: an import of node:fs puts Bun's JavaScript for it and the modules
    // it uses into the compiled binary and loads it at every start, for a call made once
    // (PERFORMANCE.md, "Cold start and binary size").
    const { mkdirSync } = process.getBuiltinModule("node:fs");
    const { dirname } = process.getBuiltinModule("node:path");
    // A folder we create is private: the file holds every message, and the tokens of --as identities.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    return new Database(path, { create: true, strict: true });
  }
}
