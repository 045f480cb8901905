// The MCP conformance suite against the binary, for both protocol eras: the 0.1 line's 2025-11-25
// scenarios that apply to a chat server (the others need fixture tools, or the logging capability
// we do not offer), and the 0.2 line's requirements of 2026-07-28 with a baseline of the checks a
// chat server cannot pass (test/conformance-2026-baseline.yml says why, one by one).
import { afterAll, expect, test } from "bun:test";
import { resolve } from "node:path";
import { cleanUp, startHttp, tempDb } from "./helpers.ts";

afterAll(cleanUp);

const suite = (name: string) => resolve(import.meta.dir, "..", "node_modules", "@modelcontextprotocol", name, "dist", "index.js");
const SUITE = suite("conformance");
const SUITE_2026 = suite("conformance-2026");
const BASELINE_2026 = resolve(import.meta.dir, "conformance-2026-baseline.yml");
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

test("conformance: the requirements of 2026-07-28, apart from the baseline", async () => {
  const server = await startHttp(tempDb());
  const run = Bun.spawn(
    [
      process.execPath,
      SUITE_2026,
      "server",
      "--url",
      server.url.href,
      "--requirements",
      "2026-07-28",
      "--expected-failures",
      BASELINE_2026,
    ],
    { stdout: "pipe", stderr: "pipe" },
  );
  const output = (await new Response(run.stdout).text()) + (await new Response(run.stderr).text());
  if ((await run.exited) !== 0) throw new Error(`conformance 2026-07-28 failed:\n${output.slice(output.indexOf("=== SUMMARY"))}`);
  for (const scenario of [
    "server-stateless",
    "tools-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
    "http-header-validation",
  ]) {
    expect(output).toContain(scenario);
  }
}, 120_000);
