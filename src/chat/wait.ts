import type { Doorbell } from "./doorbell.ts";

export interface WaitOptions {
  timeoutMs: number;
  /** Aborting any of them ends the wait at once with no result. */
  signals: AbortSignal[];
}

/**
 * Resolves with the first defined value `check` returns, re-checking each time `topic` rings,
 * or with undefined on time-out or abort. The listener is registered before the first check,
 * so a ring between check and listen cannot be missed. Listener, timer and abort handler are
 * removed on every way out.
 */
export function waitFor<T>(
  doorbell: Doorbell,
  topic: string,
  check: () => T | undefined,
  { timeoutMs, signals }: WaitOptions,
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      stopListening();
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", onAbort);
      settle();
    };
    const attempt = () => {
      if (done) return;
      let value: T | undefined;
      try {
        value = check();
      } catch (error) {
        finish(() => reject(error));
        return;
      }
      if (value !== undefined) finish(() => resolve(value));
    };
    const onAbort = () => finish(() => resolve(undefined));
    const stopListening = doorbell.listen(topic, attempt);
    const timer = setTimeout(() => finish(() => resolve(undefined)), timeoutMs);
    for (const signal of signals) signal.addEventListener("abort", onAbort, { once: true });
    if (signals.some((signal) => signal.aborted)) onAbort();
    else attempt();
  });
}
