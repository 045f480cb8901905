// scripts/setup on a machine that has Bun and no Node: it must not need node to find its way.
// (The other case, Node and npm without Bun, is what every fresh clone in CI goes through.)
import { afterAll, expect, test } from "bun:test";
import { symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { cleanUp, tempDir } from "./helpers.ts";

afterAll(cleanUp);

test("scripts/setup works with Bun on the PATH and no Node", () => {
  const bin = tempDir();
  // Only what the script itself calls, and Bun; node and npm are left out.
  for (const tool of ["bash", "dirname"]) symlinkSync(Bun.which(tool)!, join(bin, tool));
  symlinkSync(process.execPath, join(bin, "bun"));
  const root = resolve(import.meta.dir, "..");
  const run = Bun.spawnSync(["bash", "-c", 'source scripts/setup && command -v node || echo "no node; bun $(bun --version)"'], {
    cwd: root,
    env: { PATH: bin, HOME: process.env.HOME ?? "/tmp" },
  });
  // bun install's own lines may come on stderr; a missing command may not.
  const missing = run.stderr
    .toString()
    .split("\n")
    .filter((line) => /not found/.test(line));
  expect({ exit: run.exitCode, out: run.stdout.toString(), missing }).toEqual({
    exit: 0,
    out: `no node; bun ${Bun.version}\n`,
    missing: [],
  });
});
