// The MCP conformance suite's server scenarios that apply to a chat server (the others need
// fixture tools, or the logging capability we do not offer).
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { cleanUp, startHttp, tempDb } from "./helpers.ts";

afterAll(cleanUp);

const SUITE = resolve(import.meta.dir, "..", "node_modules", "@modelcontextprotocol", "conformance", "dist", "index.js");
const SCENARIOS = ["server-initialize", "ping", "tools-list", "server-sse-multiple-streams", "dns-rebinding-protection"];

for (const scenario of SCENARIOS) {
  test(`conformance: ${scenario}`, async () => {
    const server = await startHttp(tempDb());
    const run = Bun.spawn([process.execPath, SUITE, "server", "--url", server.url.href, "--scenario", scenario], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const output = (await new Response(run.stdout).text()) + (await new Response(run.stderr).text());
    expect(await run.exited).toBe(0);
    expect(output).toMatch(/Passed: (\d+)\/\1, 0 failed/);
  });
}
