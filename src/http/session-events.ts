// One HTTP session's view of the stream event store, in the shape the SDK's transport takes.
import type { EventStore, JSONRPCMessage } from "@modelcontextprotocol/server";
import { eventUnder, type SqliteEventStore } from "../db/event-store.ts";

/**
 * One session's events. Its stream ids are keyed under the session id: transports reuse names like
 * "_GET_stream", and an event id must replay only its own session's stream, also after a restart.
 * Event ids read "<session id>.<stream id>/<seq>". A class, where closures would cost every one of
 * thousands of sessions half a dozen functions.
 */
export class SessionEventStore implements EventStore {
  /** Set when the SDK has made the session's id, which it does before the session's first event. */
  sessionId: string | undefined;
  private knownPrefix: string | undefined;

  constructor(private readonly events: SqliteEventStore) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    return this.events.append(this.prefix() + streamId, message);
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return eventUnder(this.prefix(), eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const event = eventUnder(this.prefix(), lastEventId);
    if (!event) throw new Error(`Not an event of this session: ${lastEventId}`);
    for (const [eventId, message] of this.events.eventsOf(event.key, event.seq)) await send(eventId, message as JSONRPCMessage);
    return event.streamId;
  }

  private prefix(): string {
    return (this.knownPrefix ??= `${this.sessionId ?? crypto.randomUUID()}.`);
  }
}
