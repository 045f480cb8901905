// A short soak on the compiled binary: a few seconds of traffic with hung-up waits, reconnects and
// session and queue churn, after which no session, wait or descriptor is left behind. The trends
// (RSS, WAL, p99 wake-up) need the full run: ./scripts/bench/soak (10 minutes).
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { BINARY } from "./helpers.ts";

const SCRIPT = join(import.meta.dir, "..", "scripts", "bench", "soak.ts");

describe("the soak", () => {
  test(
    "5 seconds of churn leave no session, wait or descriptor behind",
    async () => {
      // Two pairs: the client's pooled connections (at most two a pair at once) stay within the
      // descriptor slack, since the server does not close them (issue 19, #5; see docs/PROOFS.md).
      const child = Bun.spawn(["bun", SCRIPT, "--seconds", "5", "--pairs", "2"], {
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, BENCH_BINARY: BINARY },
      });
      const [out, errors, status] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
      if (status !== 0) console.error(out, errors);
      expect(status).toBe(0);
      const figures = out.match(/messages (\d+) {2}cycles (\d+) .* sessions at end (\d+) {2}waiting at end (\d+)/);
      expect(figures?.slice(3)).toEqual(["0", "0"]);
      expect(Number(figures?.[1])).toBeGreaterThan(100);
      expect(Number(figures?.[2])).toBeGreaterThan(2);
    },
    { timeout: 60_000 },
  );
});
