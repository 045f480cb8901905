// Resumable streams: the SSE events the server sends are kept here for a while, so a client
// whose stream dropped can reconnect with Last-Event-ID and get what it missed. The messages are
// opaque here; src/http/session-events.ts adapts this store to the SDK's EventStore.
import { and, asc, eq, gt, gte, lt, sql } from "drizzle-orm";
import { Batcher } from "../batcher.ts";
import { warn } from "../log.ts";
import type { ChatDb } from "./open.ts";
import { streamEvents } from "./schema.ts";

/** How long an event can be replayed: far longer than any client's reconnect back-off. */
const EVENT_RETENTION_SECONDS = 10 * 60;

type StreamEvent = typeof streamEvents.$inferInsert;

/** How long events wait in memory to share a commit, and how failed writes are tried again. */
export interface EventWriteTiming {
  /**
   * A commit writes every index page its rows touched, and a hundred events (one room's answers)
   * touch nearly as many pages as five hundred (PERFORMANCE.md, "What changed and what it bought",
   * 70f4426). A killed process loses at most this much of the events (a replay in process flushes first).
   */
  writeBehindMs: number;
  /**
   * After a failed write (the file locked past the busy time-out, a full disk) the events stay in
   * memory and the next try waits this long, doubling up to retryMaxMs: a disk that stays full
   * costs a log line a minute, not one a second.
   */
  retryFirstMs: number;
  retryMaxMs: number;
  /**
   * The most event text (in UTF-16 units, as JavaScript holds it) waiting in memory for a write.
   * While writes fail, every answer would stay in memory (issue 19, #2: +101 MiB for 60 reads on a
   * full disk); past this the oldest go unstored, and only they cannot be replayed.
   */
  maxUnwrittenChars: number;
}

export const defaultEventWriteTiming: EventWriteTiming = {
  writeBehindMs: 50,
  retryFirstMs: 1_000,
  retryMaxMs: 60_000,
  maxUnwrittenChars: 16 * 1024 * 1024,
};

/** One per process. Writes are batched (see EventWriteTiming), so keeping every response costs a share of a commit. */
export class SqliteEventStore {
  private readonly pending: Batcher<StreamEvent>;
  /** The text of the pending events, against timing.maxUnwrittenChars. */
  private pendingChars = 0;
  private lastSeq = 0;
  private readonly insert;
  /** Prepared at the first replay, which most processes never see. */
  private replayQueries: ReturnType<typeof prepareReplayQueries> | undefined;

  constructor(
    private readonly db: ChatDb,
    private readonly timing: EventWriteTiming = defaultEventWriteTiming,
  ) {
    const $ = sql.placeholder;
    this.insert = db
      .insert(streamEvents)
      .values({ second: $("second"), streamId: $("streamId"), seq: $("seq"), message: $("message") })
      .prepare();
    this.pending = new Batcher({
      delayMs: timing.writeBehindMs,
      flush: (batch) => {
        this.db.$client.transaction(() => {
          for (const event of batch) this.insert.run(event);
        })();
        for (const event of batch) this.pendingChars -= event.message.length;
      },
      retry: {
        firstMs: timing.retryFirstMs,
        maxMs: timing.retryMaxMs,
        failed: (error, nextTryMs) => warn(`storing stream events failed (${String(error)}); trying again in ${nextTryMs / 1000} s`),
      },
    });
  }

  /** Forgets events older than the retention period. */
  prune(): void {
    this.flush();
    this.db.delete(streamEvents).where(lt(streamEvents.second, oldestKeptSecond())).run();
  }

  /** Writes what is pending; also before every read, so a replay sees every stored event. A failed write keeps them and throws. */
  flush(): void {
    this.pending.flushNow();
  }

  /** Keeps `message` as the next event of stream `key`; returns its event id. */
  append(key: string, message: object): string {
    // The clock's microseconds, or just above the last seq: increasing in this process, and across
    // restarts too as long as the clock does not go back.
    const seq = (this.lastSeq = Math.max(this.lastSeq + 1, Date.now() * 1000));
    // A priming event (the SDK's empty first event of a stream) carries nothing to replay: only
    // its id matters, and the stream's later events are found by it without a row of its own.
    if (Object.keys(message).length === 0) return `${key}/${seq}`;
    const event = { second: nowSecond(), streamId: key, seq, message: JSON.stringify(message) };
    this.pending.add(event);
    this.pendingChars += event.message.length;
    this.shedOverLimit();
    return `${key}/${seq}`;
  }

  /** Drops the oldest unwritten events while they hold more than maxUnwrittenChars. */
  private shedOverLimit(): void {
    let dropped = 0;
    while (this.pendingChars > this.timing.maxUnwrittenChars) {
      const oldest = this.pending.dropOldest();
      if (!oldest) break;
      this.pendingChars -= oldest.message.length;
      dropped++;
    }
    if (dropped) warn(`${dropped} stream events could not be stored in time and were dropped: they cannot be replayed`);
  }

  /**
   * For a session this process no longer has (it restarted, or the session expired): what the
   * stream of `eventId` sent after it, if that event was the session's. Undefined when nothing is
   * kept, so an id nobody issued, or another session's, learns nothing.
   */
  eventsAfter(sessionId: string, eventId: string): [string, object][] | undefined {
    const event = eventUnder(`${sessionId}.`, eventId);
    if (!event) return undefined;
    const events = this.eventsOf(event.key, event.seq);
    return events.length ? events : undefined;
  }

  /**
   * The kept events of stream `key` after `seq`, oldest first, with their event ids. Two looks into
   * the index for each second that holds events, all of them (pruning keeps them to about the
   * retention period's 600): the clock may have gone back since `seq` was issued, in this process
   * or before a restart, so no second can be ruled out by it.
   */
  eventsOf(key: string, seq: number): [string, object][] {
    this.flush();
    const queries = (this.replayQueries ??= prepareReplayQueries(this.db));
    const rows: StreamEvent[] = [];
    let from = Number.MIN_SAFE_INTEGER;
    for (let next = queries.nextSecond.get({ from }); next; next = queries.nextSecond.get({ from })) {
      rows.push(...queries.inSecond.all({ second: next.second, key, seq }));
      from = next.second + 1;
    }
    return rows.sort((a, b) => a.seq - b.seq).map((row) => [`${row.streamId}/${row.seq}`, JSON.parse(row.message)]);
  }
}

function prepareReplayQueries(db: ChatDb) {
  const $ = sql.placeholder;
  return {
    nextSecond: db
      .select({ second: streamEvents.second })
      .from(streamEvents)
      .where(gte(streamEvents.second, $("from")))
      .orderBy(asc(streamEvents.second))
      .limit(1)
      .prepare(),
    inSecond: db
      .select()
      .from(streamEvents)
      .where(and(eq(streamEvents.second, $("second")), eq(streamEvents.streamId, $("key")), gt(streamEvents.seq, $("seq"))))
      .prepare(),
  };
}

const nowSecond = () => Math.floor(Date.now() / 1000);
const oldestKeptSecond = () => nowSecond() - EVENT_RETENTION_SECONDS;

/**
 * The event `eventId` names if it is under `prefix` (a session's "<session id>."), with its stream's
 * own id: any id under the prefix names one of that session's streams, kept events or not.
 */
export function eventUnder(prefix: string, eventId: string): { key: string; seq: number; streamId: string } | undefined {
  const event = parseEventId(eventId);
  return event?.key.startsWith(prefix) ? { ...event, streamId: event.key.slice(prefix.length) } : undefined;
}

function parseEventId(eventId: string): { key: string; seq: number } | undefined {
  const slash = eventId.lastIndexOf("/");
  const seq = Number(eventId.slice(slash + 1));
  if (slash < 1 || !Number.isSafeInteger(seq)) return undefined;
  return { key: eventId.slice(0, slash), seq };
}
