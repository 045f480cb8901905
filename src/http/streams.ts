// Response streams that look open to the client as soon as they are, and say when they are done.

/** An SSE comment: clients ignore it. */
const OPENING = new TextEncoder().encode(": open\n\n");

/**
 * A response body handed on chunk by chunk as the SDK writes it, with callbacks for its end (its
 * last byte handed over, or the client gone), each called once. One Bun direct stream, which
 * writes to the connection itself: every chunk of every answer passes through here, and a piped
 * `TransformStream` per wrapper, or a queueing stream, cost time on each (PERFORMANCE.md, "What
 * changed and what it bought").
 */
class Relay {
  readonly body: ReadableStream<Uint8Array>;
  private readonly callbacks: (() => void)[] = [];
  private ended = false;
  /** The SDK's stream, read here. */
  private readonly reader;

  constructor(source: ReadableStream<Uint8Array>, request: Request, opening: boolean) {
    const reader = (this.reader = source.getReader());
    // A client gone ends the stream, and the SDK's with it: nobody is there to read either.
    request.signal.addEventListener("abort", () => this.cancel(request.signal.reason), { once: true });
    this.body = new ReadableStream({
      type: "direct",
      pull: async (controller) => {
        try {
          if (opening) await sent(controller, OPENING);
          for (let next = await reader.read(); !next.done; next = await reader.read()) await sent(controller, next.value);
        } finally {
          // Told before the response ends: a callback may still set the connection's idle time-out.
          this.end();
        }
        controller.close();
      },
      cancel: (reason) => this.cancel(reason),
    });
  }

  onEnd(callback: () => void): void {
    if (this.ended) callback();
    else this.callbacks.push(callback);
  }

  private cancel(reason: unknown): void {
    this.end();
    this.reader.cancel(reason).catch(() => {});
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const callback of this.callbacks) callback();
  }
}

/** Writes and flushes a chunk (Bun sends the headers with the first), waiting only while the connection's buffer is full. */
async function sent(controller: ReadableStreamDirectController, chunk: Uint8Array): Promise<void> {
  const written = controller.write(chunk);
  if (typeof written !== "number") await written;
  const flushed = controller.flush();
  if (typeof flushed !== "number") await flushed;
}

/** The relay behind each response made here, so that a second wrapper joins it instead of adding a stage. */
const relays = new WeakMap<Response, Relay>();

function relayed(response: Response, request: Request, opening: boolean): { response: Response; relay: Relay } {
  const relay = new Relay(response.body!, request, opening);
  const wrapped = new Response(relay.body, response);
  relays.set(wrapped, relay);
  return { response: wrapped, relay };
}

/**
 * The event stream of `response`, starting with a comment. Bun ends the HTTP header block only
 * with the body's first bytes, so a stream whose first event comes late (a quiet long-poll of a
 * client too old for the priming event, a GET stream) would look unopened until then: up to the
 * first keep-alive, past some clients' first-byte timers. `ended` runs once, when the stream is done.
 */
export function openingAtOnce(response: Response, request: Request, ended?: () => void): Response {
  const { response: opened, relay } = relayed(response, request, true);
  if (ended) relay.onEnd(ended);
  return opened;
}

/**
 * The response, with `done` called once when its body has been handed over in full, or the client
 * went away: the end of a long wait's stream, not of its headers.
 */
export function whenDone(request: Request, response: Response, done: () => void): Response {
  if (!response.body) {
    done();
    return response;
  }
  const made = relays.get(response);
  if (made) {
    made.onEnd(done);
    return response;
  }
  const { response: wrapped, relay } = relayed(response, request, false);
  relay.onEnd(done);
  return wrapped;
}
