// A short crash loop on the compiled binary: 5 SIGKILLs amid sends and waits over HTTP, then
// nothing acknowledged lost, nothing doubled or out of order, and an intact file. The full run is
// ./scripts/bench/crash-loop (50 kills).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BINARY } from "./helpers.ts";

const SCRIPT = join(import.meta.dir, "..", "scripts", "bench", "crash-loop.ts");

describe("the crash loop", () => {
  test(
    "5 kills: every acknowledged message stored once and delivered once, in order",
    async () => {
      const child = Bun.spawn(["bun", SCRIPT, "--kills", "5"], {
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, BENCH_BINARY: BINARY },
      });
      const [out, errors, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      if (status !== 0) console.error(out, errors);
      expect(status).toBe(0);
      const figures = out.match(/^messages (\d+) {2}kills (\d+) {2}lost (\d+) {2}doubled (\d+) {2}reordered (\d+) {2}integrity (\S+)$/m);
      expect(figures?.slice(2)).toEqual(["5", "0", "0", "0", "ok"]);
      expect(Number(figures?.[1])).toBeGreaterThan(100);
    },
    { timeout: 90_000 },
  );
});
