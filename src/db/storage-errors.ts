// SQLite's failures of the storage itself, as the error a user can act on: the disk is full, the
// file went read-only, the disk fails, another process holds the lock too long. A send refused this
// way stored nothing (its transaction rolled back); once the cause is gone, the next call works.
import { chatError } from "../errors.ts";

/** Extended codes share their primary code's prefix: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED... */
const CAUSES: [prefix: string, why: string][] = [
  ["SQLITE_FULL", "its disk is full"],
  ["SQLITE_READONLY", "its database cannot be written"],
  ["SQLITE_IOERR", "its disk failed to read or write"],
  ["SQLITE_CANTOPEN", "its database file cannot be opened"],
  ["SQLITE_BUSY", "another process has held its database for too long"],
];

/** `error` as storage_unavailable if the storage failed; otherwise `error` itself. */
export function asStorageError(error: unknown): unknown {
  const code = (error as { name?: string; code?: string }).name === "SQLiteError" ? (error as { code?: string }).code : undefined;
  const cause = code && CAUSES.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
  return cause ? chatError("storage_unavailable", cause[1]) : error;
}

/** Whether `error` is SQLite's failure of the storage itself (see asStorageError). */
export const isStorageFailure = (error: unknown): boolean => asStorageError(error) !== error;
