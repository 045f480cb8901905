// Resumed streams (Last-Event-ID): the replay for a session this process no longer has, and an
// end to a resumed stream once it has delivered its request's answer.
import type { SqliteEventStore } from "../db/event-store.ts";

/**
 * A resumed stream: the SDK replays what was missed and keeps the stream open for good, also when
 * the replay held the answer to the stream's request. It ends after an answer, as the stream of a
 * request does (a resumed stream of server messages has none, and stays open).
 */
export function endingAfterAnAnswer(response: Response): Response {
  const decoder = new TextDecoder();
  const body = response.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(event, controller) {
        controller.enqueue(event);
        if (isAnswer(decoder.decode(event))) controller.terminate();
      },
    }),
  );
  return new Response(body, response);
}

/** Whether an SSE event (the SDK writes one per chunk) carries a JSON-RPC result or error. */
function isAnswer(event: string): boolean {
  const data = event.split("\n").find((line) => line.startsWith("data: "));
  try {
    const message = data && JSON.parse(data.slice("data: ".length));
    return typeof message === "object" && message !== null && "id" in message && ("result" in message || "error" in message);
  } catch {
    return false;
  }
}

/**
 * Sessions live in memory, their events in the database: after a restart a client resuming a
 * stream of its old session still gets what was sent on it, then initializes anew. Undefined when
 * nothing of that session's stream is kept.
 */
export function replayOfGoneSession(events: SqliteEventStore, sessionId: string, lastEventId: string): Response | undefined {
  const missed = events.eventsAfter(sessionId, lastEventId);
  if (!missed) return undefined;
  const body = missed.map(([id, message]) => `event: message\nid: ${id}\ndata: ${JSON.stringify(message)}\n\n`).join("");
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}
