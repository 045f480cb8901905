// Figure 6: the size of dist/mcp-chat against the Bun runtime it embeds (the bun executable that
// built it): the difference is what mcp-chat itself adds (code, dependencies, migrations).
import { realpathSync, statSync } from "node:fs";
import { BINARY, log, round, runBench } from "./lib.ts";

const MB = 1024 * 1024;

await runBench("binary-size", 30_000, async () => {
  const runtime = realpathSync(Bun.which("bun") ?? process.execPath);
  const binary = statSync(BINARY).size;
  const bun = statSync(runtime).size;
  log(`${BINARY}: ${binary} bytes; Bun runtime ${runtime}: ${bun} bytes`);
  return {
    binary_bytes: binary,
    runtime_bytes: bun,
    runtime_path: runtime,
    binary_mb: round(binary / MB, 2),
    runtime_mb: round(bun / MB, 2),
    difference_mb: round((binary - bun) / MB, 2),
  };
});
