// Every figure /metrics serves, declared once: what the chat reports (ChatEvents) and what the
// HTTP layer counts. Gauges that are read when scraped are added where their source lives.
import type { ChatEvents } from "./chat/chat.ts";
import { Metrics } from "./metrics.ts";

/** Seconds: from a millisecond to ten seconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export function serverFigures() {
  const metrics = new Metrics();
  const stored = metrics.counter("mcp_chat_messages_stored_total", "Messages stored by this process.");
  const commitTime = metrics.histogram(
    "mcp_chat_send_commit_seconds",
    "Time a send spends committing to SQLite (an fsync included).",
    LATENCY_BUCKETS,
  );
  const delivered = metrics.counter("mcp_chat_messages_delivered_total", "Messages wait_for_message returned, in this process.");
  const wakeUp = metrics.histogram(
    "mcp_chat_delivery_age_seconds",
    "Age of a message when a wait returned it: the wake-up latency for a waiter that was blocked.",
    LATENCY_BUCKETS,
  );
  const limited = metrics.counter("mcp_chat_rate_limited_total", "Calls and requests refused by a rate limit, by what was limited.", true);
  const responses = metrics.counter("mcp_chat_http_responses_total", "HTTP responses on /mcp, by status.", true);
  const chatEvents: ChatEvents = {
    stored(commitMs) {
      stored();
      commitTime(commitMs);
    },
    delivered(ageMs) {
      delivered();
      wakeUp(ageMs);
    },
    limited: (what) => limited({ what }),
  };
  return { metrics, chatEvents, responded: (status: number) => responses({ status: String(status) }) };
}

export type ServerFigures = ReturnType<typeof serverFigures>;
