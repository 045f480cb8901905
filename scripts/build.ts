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
export const withoutAjv: BunPlugin = {
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

/**
 * The protocol's zod schemas (`@modelcontextprotocol/core`'s schemas and OAuth chunks) are top-level
 * `const`s, about 190 of them, built when the module is evaluated: at every start, though the
 * server's code refers to about 45 (the JSON-RPC guards, `initialize`, elicitation's tables); each
 * era's wire schemas are its own set, built at first use. Bun keeps a top-level call it cannot
 * prove free of side effects, so this marks each such `const` as a pure call, and Bun leaves out
 * those nothing refers to. Safe: building a zod schema changes nothing outside it (the only
 * `.describe()` registers its own schema's description), and a schema nothing refers to is never
 * read. `specTypeSchemas` and `isSpecType`, the SDK's tables of every spec type (which refer to
 * them all), are built at their first use instead, as the same tables.
 */
export const schemasBuiltWhenUsed: BunPlugin = {
  name: "schemas-built-when-used",
  setup(build) {
    build.onLoad({ filter: /@modelcontextprotocol\/core\/dist\/(schemas|auth)-[\w-]+\.mjs$/ }, async ({ path }) => {
      const { text, count } = pureConsts(await Bun.file(path).text());
      // A new SDK laid out otherwise would silently cost the start-up again: stop the build.
      if (count < 10) throw new Error(`schemas-built-when-used: ${path} has ${count} top-level schemas; check the SDK's layout`);
      return { loader: "js", contents: text };
    });
    build.onLoad({ filter: /@modelcontextprotocol\/server\/dist\/src-[\w-]+\.mjs$/ }, async ({ path }) => ({
      loader: "js",
      contents: specTablesAtFirstUse(await Bun.file(path).text(), path),
    }));
  },
};

/** `const X = expr;` at the top of a module, expr not a literal: `const X = /* @__PURE__ *\/ (() => expr)();`. */
export function pureConsts(text: string): { text: string; count: number } {
  let count = 0;
  const out = text.replace(/^const ([\w$]+) = ([\s\S]*?);\n(?=const |\/\*\*|\/\/|export |\n)/gm, (whole, name: string, expr: string) => {
    if (/^(-?\d+|"[^"\n]*")$/.test(expr.trim())) return whole;
    count++;
    return `const ${name} = /* @__PURE__ */ (() => ${expr})();\n`;
  });
  return { text: out, count };
}

/** The SDK's `specTypeSchemas` and `isSpecType`, each built by a pure call (so left out when unused). */
export function specTablesAtFirstUse(text: string, path: string): string {
  const first = "const _specTypeSchemas = {};";
  const last = "const isSpecType = Object.freeze(_isSpecType);";
  const start = text.indexOf(first);
  const end = text.indexOf(last);
  if (start < 0 || end < start) throw new Error(`schemas-built-when-used: no specTypeSchemas in ${path}; check the SDK's layout`);
  const tables = text.slice(start, end).replace("const specTypeSchemas = Object.freeze(_specTypeSchemas);", "");
  if (tables.includes("const specTypeSchemas")) throw new Error(`schemas-built-when-used: specTypeSchemas changed in ${path}`);
  return (
    text.slice(0, start) +
    `const specTypeSchemas = /* @__PURE__ */ (() => {\n${tables}\nreturn Object.freeze(_specTypeSchemas);\n})();\n` +
    `const isSpecType = /* @__PURE__ */ (() => {\n${tables}\nreturn Object.freeze(_isSpecType);\n})();` +
    text.slice(end + last.length)
  );
}

/**
 * The SDK's high-level `McpServer` (tools, prompts and resources registered with zod schemas) is
 * never made here: every factory given to the SDK (src/stdio.ts, src/http/) returns our `Server`
 * subclass. The SDK names the class only to ask `product instanceof McpServer`, which a stand-in
 * class answers the same (false), and the class and what only it uses (completions, resource
 * templates, the tool executor) leave the bundle. A stand-in that cannot be built says so.
 */
export const withoutMcpServer: BunPlugin = {
  name: "without-mcp-server",
  setup(build) {
    build.onLoad({ filter: /@modelcontextprotocol\/server\/dist\/mcp-[\w-]+\.mjs$/ }, async ({ path }) => {
      const text = await Bun.file(path).text();
      const start = text.indexOf("\nvar McpServer = class {\n");
      const end = text.indexOf("\n};\n", start);
      if (start < 0 || end < 0) throw new Error(`without-mcp-server: no McpServer class in ${path}; check the SDK's layout`);
      const standIn = `
var McpServer = class {
  constructor() { throw new Error("mcp-chat is built without McpServer: use Server"); }
};\n`;
      return { loader: "js", contents: text.slice(0, start) + standIn + text.slice(end + "\n};\n".length) };
    });
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
    plugins: [withoutAjv, schemasBuiltWhenUsed, withoutMcpServer],
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
