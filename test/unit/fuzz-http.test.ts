// The HTTP layer under generated hostile requests (fast-check), through its route table without a
// socket: random bodies, batches with repeated ids, bogus headers and methods, requests before
// initialize, on an unknown or deleted session, with a made-up Last-Event-ID. Every request gets a
// JSON-RPC error or a proper answer within seconds: never a 5xx (503 busy aside), never a throw,
// never a body that does not end.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { batch, INITIALIZE_PARAMS, message, nastyString, within } from "./fuzzing.ts";
import { routesInProcess } from "./in-process.ts";

const RUNS = 500;
const ANSWER_LIMIT_MS = 5_000;

const http = routesInProcess({ timing: { defaultWaitSeconds: 0.05, maxWaitSeconds: 0.2 } }, { maxSessions: 20 });
afterAll(() => http.sessions.closeAll());

const JSON_AND_SSE = "application/json, text/event-stream";
const request = (init: { method: string; headers: Record<string, string>; body?: string }) =>
  new Request("http://127.0.0.1:8000/mcp", {
    method: init.method,
    headers: { host: "127.0.0.1:8000", ...init.headers },
    body: init.method === "GET" || init.method === "HEAD" ? undefined : init.body,
  });
const initialize = (id: unknown = 1) => ({ jsonrpc: "2.0", id, method: "initialize", params: INITIALIZE_PARAMS });

let liveSession = "";
let deletedSession = "";

async function openSession(): Promise<string> {
  const response = await http.handle(
    request({ method: "POST", headers: { "content-type": "application/json", accept: JSON_AND_SSE }, body: JSON.stringify(initialize()) }),
  );
  await response.text();
  const id = response.headers.get("mcp-session-id")!;
  const headers = { "content-type": "application/json", accept: JSON_AND_SSE, "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" };
  await (await http.handle(request({ method: "POST", headers, body: '{"jsonrpc":"2.0","method":"notifications/initialized"}' }))).text();
  return id;
}

beforeAll(async () => {
  liveSession = await openSession();
  deletedSession = await openSession();
  const gone = await http.handle(request({ method: "DELETE", headers: { "mcp-session-id": deletedSession } }));
  expect(gone.status).toBe(200);
});

const body = fc.oneof(
  { weight: 4, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 2, arbitrary: batch.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: nastyString.filter((s) => s.length < 100_000) },
);
/** Mostly the header a client sends, sometimes none or a bogus one: most requests reach a session. */
const mostly = (good: string, bogus: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 10, arbitrary: fc.constant(good) }, fc.constant(undefined), bogus);
const headers = fc.record({
  "content-type": mostly("application/json", fc.constantFrom("text/plain", "application/json; charset=utf-16", "", "x/y")),
  accept: mostly(JSON_AND_SSE, fc.constantFrom("application/json", "text/event-stream", "*/*", "", "text/html")),
  "mcp-session-id": mostly("live", fc.oneof(fc.constantFrom("deleted", "", "0", "../../etc/passwd"), fc.uuid())),
  "mcp-protocol-version": mostly("2025-11-25", fc.constantFrom("2025-06-18", "2024-11-05", "1999-01-01", "", "latest")),
  "last-event-id": fc.option(fc.constantFrom("0", "x", "live.1.1", "-1", "9".repeat(40)), { nil: undefined, freq: 3 }),
});
const hostileRequest = fc.record({
  method: fc.constantFrom("POST", "POST", "POST", "POST", "POST", "GET", "DELETE", "PUT", "OPTIONS"),
  headers,
  body,
});

/** The headers to send: the session placeholders become real ids; a DELETE ends a session of its own. */
async function realHeaders(method: string, generated: Record<string, string | undefined>): Promise<Record<string, string>> {
  const live = method === "DELETE" ? await openSession() : liveSession;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(generated)) {
    if (value === undefined) continue;
    out[name] = value === "live" ? live : value === "deleted" ? deletedSession : value;
  }
  if (out["last-event-id"]?.startsWith("live.")) out["last-event-id"] = `${live}.1.1`;
  return out;
}

describe("the HTTP layer under hostile requests", () => {
  test("a JSON-RPC error or a proper answer, never a 5xx, a throw or a body that does not end", async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async ({ method, headers: generated, body: text }) => {
        const response = await within(
          http.handle(request({ method, headers: await realHeaders(method, generated), body: text })),
          ANSWER_LIMIT_MS,
          "an answer",
        );
        const what = `${method} ${JSON.stringify(generated)} ${text.slice(0, 200)} -> ${response.status}`;
        expect({ what, serverError: response.status >= 500 && response.status !== 503 }).toEqual({ what, serverError: false });
        const type = response.headers.get("content-type") ?? "";
        if (method === "GET" && type.startsWith("text/event-stream")) {
          // A standalone stream stays open by design: it answered, and that is enough.
          await response.body?.cancel();
          return;
        }
        const answer = await within(response.text(), ANSWER_LIMIT_MS, `the body of ${what}`);
        if (type.startsWith("application/json") && answer) {
          const parsed = JSON.parse(answer);
          const errors = (Array.isArray(parsed) ? parsed : [parsed]).filter((m) => m && typeof m === "object" && "error" in m);
          for (const error of errors) expect(typeof error.error.code).toBe("number");
        }
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  test("JSON nested 300,000 deep, anywhere in a request: an answer within seconds, never a crash", async () => {
    const deep = "[".repeat(300_000) + "]".repeat(300_000);
    const bodies = [
      deep,
      `{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"whoami","arguments":{"x":${deep}}}}`,
      `{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"x":${deep}}}`,
      `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":{"progressToken":${deep}}}}`,
    ];
    const headers = {
      "content-type": "application/json",
      accept: JSON_AND_SSE,
      "mcp-session-id": liveSession,
      "mcp-protocol-version": "2025-11-25",
    };
    for (const body of bodies) {
      const response = await within(http.handle(request({ method: "POST", headers, body })), ANSWER_LIMIT_MS, "an answer");
      expect(response.status === 200 || response.status === 400).toBe(true);
      expect(await within(response.text(), ANSWER_LIMIT_MS, "its body")).toMatch(/"jsonrpc":"2.0"/);
    }
  });

  test("a live session still works after all that", async () => {
    const fresh = await openSession();
    const headers = {
      "content-type": "application/json",
      accept: JSON_AND_SSE,
      "mcp-session-id": fresh,
      "mcp-protocol-version": "2025-11-25",
    };
    const response = await http.handle(request({ method: "POST", headers, body: '{"jsonrpc":"2.0","id":7,"method":"tools/list"}' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('"name":"whoami"');
  });
});
