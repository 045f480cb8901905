// The response streams of the HTTP layer: opened at once, and their end told once, however it comes.
import { describe, expect, test } from "bun:test";
import { openingAtOnce, whenDone } from "../../src/http/streams.ts";

const encoder = new TextEncoder();

/** An SSE response as the SDK makes one: events that come later, then the end (or never). */
function eventStream(events: string[], { closes = true } = {}) {
  let cancelled: unknown;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events) {
        await Bun.sleep(1);
        controller.enqueue(encoder.encode(event));
      }
      if (closes) controller.close();
    },
    cancel(reason) {
      cancelled = reason ?? "cancelled";
    },
  });
  return { response: new Response(body, { headers: { "Content-Type": "text/event-stream" } }), cancelled: () => cancelled };
}

const post = (controller = new AbortController()) => ({
  request: new Request("http://127.0.0.1/mcp", { method: "POST", signal: controller.signal }),
  controller,
});

describe("openingAtOnce and whenDone", () => {
  test("the stream starts with a comment, then carries the events whole, and its end is told once", async () => {
    const { request } = post();
    const { response } = eventStream(["id: 1\ndata: {}\n\n", 'event: message\ndata: {"id":1}\n\n']);
    let ended = 0;
    const opened = openingAtOnce(response, request, () => ended++);
    expect(opened.headers.get("Content-Type")).toBe("text/event-stream");
    expect(await opened.text()).toBe(': open\n\nid: 1\ndata: {}\n\nevent: message\ndata: {"id":1}\n\n');
    expect(ended).toBe(1);
  });

  test("whenDone joins a stream opened here instead of wrapping it again; both ends are told, once each", async () => {
    const { request, controller } = post();
    const { response } = eventStream(["data: a\n\n"]);
    const calls: string[] = [];
    const opened = openingAtOnce(response, request, () => calls.push("opened"));
    const done = whenDone(request, opened, () => calls.push("done"));
    expect(done).toBe(opened);
    expect(await done.text()).toBe(": open\n\ndata: a\n\n");
    controller.abort(); // the client goes away afterwards: nothing is told twice
    expect(calls).toEqual(["opened", "done"]);
  });

  test("a client gone before the end tells it at once, even with the stream never read, and cancels the SDK's stream", async () => {
    const { request, controller } = post();
    const source = eventStream([], { closes: false });
    let done = 0;
    whenDone(request, source.response, () => done++);
    expect(done).toBe(0);
    controller.abort();
    expect(done).toBe(1);
    await Bun.sleep(0);
    expect(source.cancelled()).toBeDefined();
  });

  test("a reader that cancels ends the stream and cancels the source", async () => {
    const { request } = post();
    const source = eventStream(["data: a\n\n"], { closes: false });
    let done = 0;
    const reader = whenDone(request, source.response, () => done++).body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: a\n\n");
    await reader.cancel("gone");
    expect(done).toBe(1);
    expect(source.cancelled()).toBe("gone");
  });

  test("a response without a body is done at once", () => {
    const { request } = post();
    let done = 0;
    const response = new Response(null, { status: 202 });
    expect(whenDone(request, response, () => done++)).toBe(response);
    expect(done).toBe(1);
  });
});
