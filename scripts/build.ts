// The build behind scripts/build and scripts/release: one executable, with the bytecode of the code
// inside (start-up takes about half as long; docs/PERFORMANCE.md has the figures).
// `bun scripts/build.ts` builds dist/mcp-chat for this machine; scripts/release.ts calls
// buildBinary() once per target.
import type { Build, BunPlugin } from "bun";

/**
 * The SDK's node shim imports its Ajv validator eagerly, though the Server only builds one when
 * given no validator of its own (src/mcp-server.ts always gives one). Ajv and its formats would be
 * a third of the bundle: this stands in for the shim.
 */
const withoutAjv: BunPlugin = {
  name: "without-ajv",
  setup(build) {
    build.onLoad({ filter: /@modelcontextprotocol\/server\/dist\/shimsNode\.mjs$/ }, () => ({
      loader: "js",
      contents: `export { default as process } from "node:process";
      export class DefaultJsonSchemaValidator {
        constructor() { throw new Error("mcp-chat is built without Ajv: give the Server a jsonSchemaValidator"); }
      }`,
    }));
  },
};

const ROOT = `${import.meta.dir}/..`;

/** The git commit the tree is at, with "-dirty" for uncommitted changes; "unknown" outside git. */
export function sourceCommit(): string {
  const git = (...args: string[]) => Bun.spawnSync(["git", ...args], { cwd: ROOT, stderr: "ignore" });
  const head = git("rev-parse", "--short=12", "HEAD");
  if (head.exitCode !== 0) return "unknown";
  return `${head.stdout.toString().trim()}${treeIsDirty() ? "-dirty" : ""}`;
}

/** Whether the working tree has changes git would commit (untracked files count, ignored ones not). */
export function treeIsDirty(): boolean {
  const status = Bun.spawnSync(["git", "status", "--porcelain"], { cwd: ROOT, stderr: "ignore" });
  return status.exitCode === 0 && status.stdout.toString().trim() !== "";
}

export interface BuildOptions {
  /** A Bun compile target (`bun-linux-arm64`); none builds for this machine. */
  target?: Build.CompileTarget;
  outfile: string;
  /** Baked in for `--version`. */
  commit: string;
  /** Embed the code's bytecode (the default): start-up about 30 ms faster. scripts/release.ts says where not. */
  bytecode?: boolean;
}

/** Compiles src/cli.ts into one executable. Throws with Bun's messages when the build fails. */
export async function buildBinary({ target, outfile, commit, bytecode = true }: BuildOptions): Promise<void> {
  const result = await Bun.build({
    entrypoints: [`${ROOT}/src/cli.ts`],
    // Tier-up thresholds x8 until src/cli.ts resets them after the start: compiling code that runs
    // once at start-up would cost more than it saves (about 5-10 ms less to the first initialize).
    compile: { outfile, jitPolicy: 8, ...(target ? { target } : {}) },
    target: "bun",
    format: "esm", // --bytecode needs ESM output
    bytecode,
    minify: true,
    // src/build-info.ts reads it; `bun src/cli.ts` leaves it undefined.
    define: { MCP_CHAT_BUILD_COMMIT: JSON.stringify(commit) },
    plugins: [withoutAjv],
  });
  if (!result.success) throw new AggregateError(result.logs, `the build for ${target ?? "this machine"} failed`);
}

if (import.meta.main) {
  try {
    await buildBinary({ outfile: `${ROOT}/dist/mcp-chat`, commit: sourceCommit() });
  } catch (error) {
    for (const message of (error as AggregateError).errors ?? [error]) console.error(message);
    process.exit(1);
  }
}
