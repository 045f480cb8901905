import type { Doorbell } from "./doorbell.ts";

export interface WaitOptions {
  timeoutMs: number;
  /** Aborting any of them ends the wait at once with no result. */
  signals: AbortSignal[];
  /** Ends the wait the same way when thrown. */
  stopSwitch?: StopSwitch;
}

/**
 * Ends every wait listening to it at once: the server stopping. Not one AbortSignal shared by all
 * waits: removing one of a signal's N listeners takes time in N, and with 10,000 waits held,
 * waking them all spent a sixth of its time there.
 */
export class StopSwitch {
  private readonly listeners = new Set<() => void>();
  private thrown = false;

  get stopped(): boolean {
    return this.thrown;
  }

  /** Calls `onStop` when the switch is thrown; returns how to stop listening. */
  listen(onStop: () => void): () => void {
    this.listeners.add(onStop);
    return () => void this.listeners.delete(onStop);
  }

  stop(): void {
    this.thrown = true;
    for (const onStop of this.listeners) onStop();
    this.listeners.clear();
  }
}

/**
 * Resolves with the first defined value `check` returns, re-checking each time `topic` rings,
 * or with undefined on time-out or abort. The listener is registered before the first check,
 * so a ring between check and listen cannot be missed. Listener, timer and abort handlers are
 * removed on every way out.
 */
export function waitFor<T>(
  doorbell: Doorbell,
  topic: string,
  check: () => T | undefined,
  { timeoutMs, signals, stopSwitch }: WaitOptions,
): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      stopListening();
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener("abort", onAbort);
      stopWatchingSwitch?.();
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
    const stopWatchingSwitch = stopSwitch?.listen(onAbort);
    if (stopSwitch?.stopped || signals.some((signal) => signal.aborted)) onAbort();
    else attempt();
  });
}
