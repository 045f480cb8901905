// Response streams that look open to the client as soon as they are.

/** An SSE comment: clients ignore it. */
const OPENING = new TextEncoder().encode(": open\n\n");

/**
 * The event stream of `response`, starting with a comment. Bun ends the HTTP header block only
 * with the body's first bytes, so a stream whose first event comes late (a quiet long-poll of a
 * client too old for the priming event, a GET stream) would look unopened until then: up to the
 * first keep-alive, past some clients' first-byte timers. `ended` runs once, when the stream is done.
 */
export function openingAtOnce(response: Response, request: Request, ended?: () => void): Response {
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    ended?.();
  };
  if (ended) request.signal.addEventListener("abort", end, { once: true });
  const body = response.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        controller.enqueue(OPENING);
      },
      flush: end,
    }),
  );
  return new Response(body, response);
}

/**
 * The response, with `done` called once when its body has been handed over in full, or the client
 * went away: the end of a long wait's stream, not of its headers.
 */
export function whenDone(request: Request, response: Response, done: () => void): Response {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    done();
  };
  if (!response.body) {
    once();
    return response;
  }
  request.signal.addEventListener("abort", once, { once: true });
  return new Response(response.body.pipeThrough(new TransformStream({ flush: once })), response);
}
