import type { Doorbell } from "./doorbell.ts";

export interface WaitOptions {
  timeoutMs: number;
  /**
   * Aborting any of them ends the wait at once with no result. The call's own signals, which end
   * with it: the wait keeps listening to them after it ends, and an abort then changes nothing.
   */
  signals: AbortSignal[];
  /** Ends the wait the same way when thrown. */
  stopSwitch?: StopSwitch;
}

/** What listens to a StopSwitch: the shape an EventTarget takes too, so one object can do both. */
interface StopListener {
  handleEvent(): void;
}

/**
 * Ends every wait listening to it at once: the server stopping. Not one AbortSignal shared by all
 * waits: removing one of a signal's N listeners takes time in N, and with 10,000 waits held,
 * waking them all spent a sixth of its time there.
 */
export class StopSwitch {
  private readonly listeners = new Set<StopListener>();
  private thrown = false;

  get stopped(): boolean {
    return this.thrown;
  }

  listen(listener: StopListener): void {
    this.listeners.add(listener);
  }

  unlisten(listener: StopListener): void {
    this.listeners.delete(listener);
  }

  stop(): void {
    this.thrown = true;
    for (const listener of this.listeners) listener.handleEvent();
    this.listeners.clear();
  }
}

/**
 * Resolves with the first defined value `check` returns, re-checking each time `topic` (or any of several) rings,
 * or with undefined on time-out or abort. The listener is registered before the first check,
 * so a ring between check and listen cannot be missed. Listener, timer and stop switch are let
 * go on every way out.
 */
export function waitFor<T>(doorbell: Doorbell, topic: Topics, check: () => T | undefined, options: WaitOptions): Promise<T | undefined> {
  return new Promise<T | undefined>((resolve, reject) => new Waiting(doorbell, topic, check, options, resolve, reject).start());
}

/**
 * One wait in progress. The object itself listens to the abort signals and the stop switch, and is
 * what the timer gets: closures for each would cost 10,000 held waits 60,000 functions and scopes.
 */
class Waiting<T> {
  private done = false;
  private timer: Timer | undefined;
  /** The doorbell's listener, the same function for listen and unlisten. */
  private readonly onRing = () => this.attempt();

  constructor(
    private readonly doorbell: Doorbell,
    private readonly topic: Topics,
    private readonly check: () => T | undefined,
    private readonly options: WaitOptions,
    private readonly resolve: (value: T | undefined) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  start(): void {
    const { timeoutMs, signals, stopSwitch } = this.options;
    if (typeof this.topic === "string") this.doorbell.listen(this.topic, this.onRing);
    else for (const topic of this.topic) this.doorbell.listen(topic, this.onRing);
    this.timer = setTimeout(timeUp, timeoutMs, this);
    for (const signal of signals) signal.addEventListener("abort", this, { once: true });
    stopSwitch?.listen(this);
    if (stopSwitch?.stopped || signals.some((signal) => signal.aborted)) this.end(undefined);
    else this.attempt();
  }

  /** An abort signal fired, or the stop switch was thrown. */
  handleEvent(): void {
    this.end(undefined);
  }

  /** Ends the wait with `value` (undefined: no result), unless it has ended already. */
  end(value: T | undefined): void {
    if (this.finish()) this.resolve(value);
  }

  private attempt(): void {
    if (this.done) return;
    let value: T | undefined;
    try {
      value = this.check();
    } catch (error) {
      if (this.finish()) this.reject(error);
      return;
    }
    if (value !== undefined) this.end(value);
  }

  /** Stops listening to everything; false if that was done already. */
  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (typeof this.topic === "string") this.doorbell.unlisten(this.topic, this.onRing);
    else for (const topic of this.topic) this.doorbell.unlisten(topic, this.onRing);
    clearTimeout(this.timer);
    // The abort listeners stay: the signals die with the call, and taking a listener off an HTTP
    // request's signal is paid once per waiter when a ring ends a hundred waits (PERFORMANCE.md, "10,000 waiters").
    this.options.stopSwitch?.unlisten(this);
    return true;
  }
}

/** One topic, or several (a wait on all of a participant's rooms); a string alone costs no array per wait. */
type Topics = string | readonly string[];

const timeUp = (waiting: Waiting<unknown>) => waiting.end(undefined);
