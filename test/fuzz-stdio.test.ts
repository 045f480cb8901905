// The binary over --stdio under generated hostile lines (fast-check): garbage, any JSON, mangled
// JSON-RPC, batches that repeat an id, tool calls with hostile arguments, after a proper
// initialize. Nothing but JSON-RPC comes out on stdout, the process neither dies nor hangs, it
// answers a request sent after all of them, and it exits cleanly when stdin ends.
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { BINARY, cleanUp, tempDb } from "./helpers.ts";
import { batch, INITIALIZE_PARAMS, message, nastyString } from "./unit/fuzzing.ts";

afterAll(cleanUp);

const LINES = 300;

describe("--stdio under hostile lines", () => {
  test(`${LINES} generated lines: only JSON-RPC comes out, and the server still answers`, async () => {
    const child = Bun.spawn([BINARY, "--stdio", "--db", tempDb(), "--default-wait", "0.1", "--max-wait", "0.2"], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    const out: string[] = [];
    let partial = "";
    const reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop()!;
        out.push(...lines);
      }
    })();
    const send = (line: string) => child.stdin.write(`${line}\n`);
    send(JSON.stringify({ jsonrpc: "2.0", id: "init", method: "initialize", params: INITIALIZE_PARAMS }));
    send('{"jsonrpc":"2.0","method":"notifications/initialized"}');
    const line = fc.oneof(
      { weight: 4, arbitrary: message.map((m) => JSON.stringify(m)) },
      { weight: 1, arbitrary: batch.map((b) => JSON.stringify(b)) },
      { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: nastyString.filter((s) => s.length < 100_000) },
    );
    for (const generated of fc.sample(line, { numRuns: LINES, seed: 19 })) send(generated.replace(/[\r\n]/g, " "));
    send('{"jsonrpc":"2.0","id":"final","method":"tools/list"}');
    await child.stdin.flush();

    const deadline = Date.now() + 20_000;
    while (!out.some((l) => l.includes('"id":"final"')) && Date.now() < deadline && child.exitCode === null) await Bun.sleep(50);
    expect(child.exitCode).toBeNull();
    expect(out.some((l) => l.includes('"id":"final"') && l.includes('"name":"whoami"'))).toBe(true);
    for (const l of out.filter((text) => text.trim())) {
      const parsed = JSON.parse(l);
      expect({ l: l.slice(0, 200), jsonrpc: parsed.jsonrpc }).toEqual({ l: l.slice(0, 200), jsonrpc: "2.0" });
      // Not asserted yet: a request whose params break the SDK's own schema (initialize without
      // params, tools/list with a numeric cursor) is answered -32603 with a dump of zod issues,
      // not -32602 and a sentence. The fix belongs where the SDK's handlers are set up
      // (src/mcp-server.ts, under migration to SDK v2).
    }
    child.stdin.end();
    expect(await child.exited).toBe(0);
    await reading;
  }, 60_000);
});
