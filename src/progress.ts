// Progress while a tool call blocks: clients that reset their time-out on progress
// (the SDK's resetTimeoutOnProgress) can then wait longer than their request time-out.
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

/** Often enough for the common 15-60 s client time-outs. */
const PROGRESS_EVERY_MS = 10_000;

const noProgress = () => {};

/** Sends progress every PROGRESS_EVERY_MS if the request asked for it; returns how to stop. */
export function reportProgressWhileBlocked(extra: RequestHandlerExtra<ServerRequest, ServerNotification>): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return noProgress;
  let seconds = 0;
  const timer = setInterval(() => {
    // Progress must grow with every notification: seconds waited does.
    seconds += PROGRESS_EVERY_MS / 1000;
    extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress: seconds, message: `Still waiting after ${seconds} s` },
      })
      .catch(() => {}); // the client went away; the wait itself notices through its signal
  }, PROGRESS_EVERY_MS);
  return () => clearInterval(timer);
}
