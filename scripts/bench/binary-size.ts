// Figure 6: the size of dist/mcp-chat against the Bun runtime it embeds (the bun executable that
// built it). The difference holds what mcp-chat adds (code, its bytecode, dependencies, migrations)
// and what any compiled program carries: `bun build --compile` puts its payload after the
// runtime's .bss, padded with zeros (PERFORMANCE.md, "Cold start and binary size"). A one-line
// program compiled by the same Bun shows that floor, so mcp-chat's own share is the rest. The SDK
// floor server compiled by the same build shows what the stack alone (the SDK, zod) comes to.
import { realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BINARY, compiledSdkFloor, log, round, runBench, tempDir } from "./lib.ts";

const MB = 1024 * 1024;

/** Bytes a compiled `console.log(1)` has over the runtime: the floor of any compiled program. */
async function compileFloor(runtime: string, bun: number): Promise<number> {
  const dir = tempDir();
  writeFileSync(join(dir, "one-line.ts"), "console.log(1);\n");
  const outfile = join(dir, "one-line");
  const build = Bun.spawnSync([runtime, "build", "--compile", "--minify", join(dir, "one-line.ts"), "--outfile", outfile], {
    stdout: "ignore",
  });
  if (build.exitCode !== 0) throw new Error(`compiling a one-line program failed: ${build.stderr.toString()}`);
  return statSync(outfile).size - bun;
}

await runBench("binary-size", 30_000, async () => {
  const runtime = realpathSync(Bun.which("bun") ?? process.execPath);
  const binary = statSync(BINARY).size;
  const bun = statSync(runtime).size;
  const floor = await compileFloor(runtime, bun);
  const sdkFloor = statSync(await compiledSdkFloor(tempDir())).size - bun;
  log(
    `${BINARY}: ${binary} bytes; Bun runtime ${runtime}: ${bun} bytes; a compiled one-line program: ${bun + floor} bytes; the SDK floor compiled: ${bun + sdkFloor} bytes`,
  );
  return {
    binary_bytes: binary,
    runtime_bytes: bun,
    runtime_path: runtime,
    compile_floor_bytes: floor,
    binary_mb: round(binary / MB, 2),
    runtime_mb: round(bun / MB, 2),
    difference_mb: round((binary - bun) / MB, 2),
    compile_floor_mb: round(floor / MB, 2),
    own_mb: round((binary - bun - floor) / MB, 2),
    sdk_floor_mb: round(sdkFloor / MB, 2),
  };
});
