// Progress while a tool call blocks: clients that reset their time-out on progress
// (the SDK's resetTimeoutOnProgress) can then wait longer than their request time-out.
import type { ServerContext } from "@modelcontextprotocol/server";

const noProgress = () => {};

/** The longest progress token that gets progress, in characters. */
const MAX_PROGRESS_TOKEN = 256;

/** Sends progress every `everyMs` if the request asked for it; returns how to stop. */
export function reportProgressWhileBlocked({ mcpReq }: ServerContext, everyMs: number): () => void {
  const progressToken = mcpReq._meta?.progressToken;
  // A token is echoed, and stored for replay, every interval: one of any size would make each
  // tick cost what the client chose (issue 19, #1). Real clients send a number or a short string.
  if (progressToken === undefined || (typeof progressToken === "string" && progressToken.length > MAX_PROGRESS_TOKEN)) return noProgress;
  let ticks = 0;
  const timer = setInterval(() => {
    // Progress must grow with every notification: seconds waited does (counted in ticks, so no
    // rounding error creeps into what the client reads).
    const seconds = (++ticks * everyMs) / 1000;
    mcpReq
      .notify({
        method: "notifications/progress",
        params: { progressToken, progress: seconds, message: `Still waiting after ${seconds} s` },
      })
      .catch(() => {}); // the client went away; the wait itself notices through its signal
  }, everyMs);
  return () => clearInterval(timer);
}
