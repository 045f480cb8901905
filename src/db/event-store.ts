// Resumable streams: the SSE events the server sends are kept here for a while, so a client
// whose stream dropped can reconnect with Last-Event-ID and get what it missed.
import type { EventStore } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import type { ChatDb } from "./open.ts";
import { bestEffort } from "../log.ts";
import { streamEvents } from "./schema.ts";

/** How long an event can be replayed: far longer than any client's reconnect back-off. */
const EVENT_RETENTION_MS = 10 * 60_000;

type StreamEvent = typeof streamEvents.$inferInsert;

/**
 * One per process. Writes are batched into one transaction per turn of the event loop, so
 * keeping every response costs one extra commit per batch, not per event.
 */
export class SqliteEventStore {
  private pending: StreamEvent[] = [];
  private nextSeq = 1;
  private readonly insert;

  constructor(private readonly db: ChatDb) {
    const $ = sql.placeholder;
    this.insert = db
      .insert(streamEvents)
      .values({ streamId: $("streamId"), seq: $("seq"), message: $("message"), createdAt: $("createdAt") })
      .prepare();
  }

  /**
   * The store of the transport of session `sessionId` (known once the session is initialized,
   * before its first event). Its stream ids are keyed under the session id: transports reuse
   * names like "_GET_stream", and an event id must replay only its own session's stream, also
   * after a restart. Event ids read "<session id>.<stream id>/<seq>".
   */
  forTransport(sessionId: () => string | undefined): EventStore {
    let known: string | undefined;
    const prefix = () => (known ??= `${sessionId() ?? crypto.randomUUID()}.`);
    // Any id under this session's prefix names one of its streams, kept events or not.
    const ownEvent = (eventId: string) => {
      const event = parseEventId(eventId);
      return event?.key.startsWith(prefix()) ? { ...event, streamId: event.key.slice(prefix().length) } : undefined;
    };
    return {
      storeEvent: async (streamId, message) => this.store(prefix() + streamId, message),
      getStreamIdForEventId: async (eventId) => ownEvent(eventId)?.streamId,
      replayEventsAfter: async (lastEventId, { send }) => {
        const event = ownEvent(lastEventId);
        if (!event) throw new Error(`Not an event of this session: ${lastEventId}`);
        for (const [eventId, message] of this.eventsOf(event.key, event.seq)) await send(eventId, message);
        return event.streamId;
      },
    };
  }

  /** Forgets events older than the retention period. */
  prune(): void {
    this.flush();
    this.db.delete(streamEvents).where(lt(streamEvents.createdAt, Date.now() - EVENT_RETENTION_MS)).run();
  }

  /** Writes what is pending; also before every read, so a replay sees every stored event. */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.db.$client.transaction(() => {
        for (const event of batch) this.insert.run(event);
      })();
    } catch (error) {
      this.pending = batch.concat(this.pending); // kept for the next flush
      throw error;
    }
  }

  private store(key: string, message: JSONRPCMessage): string {
    const seq = this.nextSeq++;
    // A priming event (the SDK's empty first event of a stream) carries nothing to replay: only
    // its id matters, and the stream's later events are found by it without a row of its own.
    if (Object.keys(message).length === 0) return `${key}/${seq}`;
    if (this.pending.length === 0) setImmediate(() => bestEffort("storing stream events", () => this.flush()));
    this.pending.push({ streamId: key, seq, message: JSON.stringify(message), createdAt: Date.now() });
    return `${key}/${seq}`;
  }

  /**
   * For a session this process no longer has (it restarted, or the session expired): what the
   * stream of `eventId` sent after it, if that event was the session's. Undefined when nothing is
   * kept, so an id nobody issued, or another session's, learns nothing.
   */
  eventsAfter(sessionId: string, eventId: string): [string, JSONRPCMessage][] | undefined {
    const event = parseEventId(eventId);
    if (!event?.key.startsWith(`${sessionId}.`)) return undefined;
    const events = this.eventsOf(event.key, event.seq);
    return events.length ? events : undefined;
  }

  /** The kept events of stream `key` after `seq`, oldest first, with their event ids. */
  private eventsOf(key: string, seq: number): [string, JSONRPCMessage][] {
    this.flush();
    return this.db
      .select()
      .from(streamEvents)
      .where(and(eq(streamEvents.streamId, key), gt(streamEvents.seq, seq)))
      .orderBy(asc(streamEvents.seq))
      .all()
      .map((row): [string, JSONRPCMessage] => [`${row.streamId}/${row.seq}`, JSON.parse(row.message)]);
  }
}

function parseEventId(eventId: string): { key: string; seq: number } | undefined {
  const slash = eventId.lastIndexOf("/");
  const seq = Number(eventId.slice(slash + 1));
  if (slash < 1 || !Number.isSafeInteger(seq)) return undefined;
  return { key: eventId.slice(0, slash), seq };
}
