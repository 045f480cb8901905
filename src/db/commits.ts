// The three ways the store commits, each named for what it guarantees when it returns.
import { constants, type Database, type Statement } from "bun:sqlite";
import { Batcher } from "../batcher.ts";
import { chatError } from "../errors.ts";
import { warn } from "../log.ts";
import { asStorageError } from "./storage-errors.ts";

interface Queued {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class Commits {
  /** Work waiting for the next shared durable commit (see durableSoon). */
  private readonly soon = new Batcher<Queued>({ delayMs: 0, flush: (batch) => this.commitShared(batch) });
  private pragmas: { full: Statement; normal: Statement } | undefined;
  /** SQLITE_FCNTL_HAS_MOVED's answer, written by SQLite into the first element. */
  private readonly hasMoved = new Int32Array(2);
  private goneLogged = false;

  /**
   * `whileLocked` wraps the work of an unsynced commit that holds the write lock: nobody else can
   * write meanwhile, so the store may keep the rows it reads (see ChatStore.frozen).
   */
  constructor(
    private readonly sqlite: Database,
    private readonly whileLocked: (work: () => void) => void = (work) => work(),
  ) {}

  /**
   * Runs `work` in one transaction that takes the write lock up front, so a read-then-write
   * (seq allocation, matching) cannot interleave with another process's. It is on disk when
   * this returns (synchronous=FULL): messages, rooms and identities are never lost once reported.
   */
  durable<T>(work: () => T): T {
    // Sends that came first commit first: a send then a leave sent without waiting in between
    // must not find its sender gone.
    this.soon.flushNow();
    this.refuseIfFileGone();
    const pragmas = (this.pragmas ??= {
      full: this.sqlite.prepare("PRAGMA synchronous = FULL"),
      normal: this.sqlite.prepare("PRAGMA synchronous = NORMAL"),
    });
    pragmas.full.run();
    // The work's own error, not the ROLLBACK's: on a full disk SQLite may have rolled back already.
    let failed: { error: unknown } | undefined;
    const tracked = () => {
      try {
        return work();
      } catch (error) {
        failed = { error };
        throw error;
      }
    };
    try {
      return this.sqlite.transaction(tracked).immediate();
    } catch (error) {
      throw asStorageError(failed ? failed.error : error);
    } finally {
      pragmas.normal.run();
    }
  }

  /**
   * Like `durable`, but shares one transaction, and so one fsync, with every other `durableSoon`
   * of this turn of the event loop: concurrent sends cost one disk flush between them. Each piece
   * of work runs in its own savepoint, so one that throws undoes only itself.
   */
  durableSoon<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.soon.add({ work, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /**
   * Bookkeeping (read cursors): one transaction without an fsync of its own, on disk with the
   * next one. A failure is logged, and work that could not begin a transaction runs without one.
   */
  unsynced(work: () => void): void {
    if (this.sqlite.inTransaction) return work();
    let ran = false;
    try {
      this.sqlite
        .transaction(() => {
          ran = true;
          this.whileLocked(work);
        })
        .immediate();
    } catch (error) {
      if (ran) warn("committing moved read cursors failed (their messages will come again):", error);
      else work();
    }
  }

  /**
   * A file deleted (or moved) under a running server still takes writes, into nothing anyone will
   * find again (issue 19, #13): refuse them instead. One stat of the path per durable commit.
   */
  private refuseIfFileGone(): void {
    this.hasMoved[0] = 0;
    this.sqlite.fileControl(constants.SQLITE_FCNTL_HAS_MOVED, this.hasMoved);
    if (this.hasMoved[0] !== 1) return;
    if (!this.goneLogged) warn("the database file was deleted or moved: nothing more is stored until the server restarts");
    this.goneLogged = true;
    throw chatError("storage_unavailable", "its database file was deleted or moved");
  }

  private commitShared(batch: Queued[]): void {
    let outcomes: (() => void)[];
    /** Set when a piece of work failed for want of storage and SQLite rolled the whole transaction back. */
    let lost: unknown;
    try {
      outcomes = this.durable(() =>
        batch.map(({ work, resolve, reject }) => {
          if (lost) return () => reject(lost);
          try {
            const value = this.sqlite.transaction(work)();
            return () => resolve(value);
          } catch (error) {
            const failure = asStorageError(error);
            // A full disk can end the shared transaction, not only this savepoint: then nothing
            // of the batch is stored, and the work after this one must not run outside it.
            if (!this.sqlite.inTransaction) lost = failure;
            return () => reject(failure);
          }
        }),
      );
    } catch (error) {
      outcomes = batch.map(
        ({ reject }) =>
          () =>
            reject(lost ?? error),
      );
    }
    for (const settle of outcomes) settle();
  }
}
