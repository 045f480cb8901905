// The benchmark suite as a developer runs it from a clean clone: a quick run of the figures whose
// floors stand beside their targets (docs/PERFORMANCE.md, "Figures now"). Quick figures answer no
// target; what is checked is that every one of them was measured.
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BINARY, cleanUp, tempDir } from "./helpers.ts";

afterAll(cleanUp);

test("the benchmarks run, and each figure is measured with the stack's floor beside it", async () => {
  const results = join(tempDir(), "bench-results.json");
  const run = Bun.spawn(["bun", "scripts/bench/main.ts", "--quick", "--only", "binary-size,cold-start,wake-http"], {
    cwd: resolve(import.meta.dir, ".."),
    env: { ...process.env, BENCH_BINARY: BINARY, BENCH_RESULTS_FILE: results },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [table, log, status] = await Promise.all([new Response(run.stdout).text(), new Response(run.stderr).text(), run.exited]);
  expect(status, log).toBe(0);
  expect(table).not.toContain("failed");
  expect(table).toMatch(/wake-up p50, HTTP .*\| \d+\.\d{3} ms/);
  expect(table).toMatch(/one durable commit alone .*\| \d+\.\d{3} \/ \d+\.\d{3} ms; \d+\.\d{3} ms/);
  expect(table).toMatch(/cold start, --stdio +\| \d+\.\d ms/);
  expect(table).toMatch(/the SDK floor compiled the same way: HTTP .*\| \d+\.\d \/ \d+\.\d \/ \d+\.\d ms/);
  expect(table).toMatch(/the SDK floor compiled the same way, minus runtime +\| \d+\.\d{2} MB/);
  const report = JSON.parse(readFileSync(results, "utf8"));
  expect(report.quick).toBe(true);
  expect(report.results["cold-start"].sdk_floor_stdio_ms).toBeGreaterThan(0);
}, 180_000);
