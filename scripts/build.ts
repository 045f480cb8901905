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
 * `const`s, 184 of them, built when the module is evaluated: at every start, though the
 * server's code refers to 44 (the JSON-RPC guards, `initialize`, elicitation's tables); each
 * era's wire schemas are its own set, built at first use. Bun keeps a top-level call it cannot
 * prove free of side effects, so this marks each such `const` as a pure call, and Bun leaves out
 * those nothing refers to. Safe: building a zod schema changes nothing outside it (the only
 * `.describe()` registers its own schema's description), and a schema nothing refers to is never
 * read. `specTypeSchemas` and `isSpecType`, the SDK's tables of every spec type (which refer to
 * them all), are built at their first use instead, as the same tables.
 *
 * Each era's wire schemas (about 140 each: `build$1` behind `buildSchemas2025` for 2025, and for
 * 2026, `build` behind `buildSchemas2026`) were built all at once by the era's first request,
 * though `initialize` or `server/discover` needs a few: each is now built at its first use, once
 * (the same object every time after); the sets' properties, the 2025 registry's maps and the 2026
 * maps by method are getters that build theirs at first lookup. The same schemas, built in
 * another order: zod schemas do not depend on the order. The first answer of either era: 12-21
 * ms less CPU and 5-14 ms sooner; the price, 61 KB of binary (a builder per schema;
 * PERFORMANCE.md, "Cold start and binary size").
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
    build.onLoad({ filter: /@modelcontextprotocol\/server\/dist\/src-[\w-]+\.mjs$/ }, async ({ path }) => {
      let text = specTablesAtFirstUse(await Bun.file(path).text(), path);
      try {
        // The 2025 era's wire schemas (build$1, behind buildSchemas2025) and the registry's maps of them.
        text = lazyMapEntries(lazySchemaBuilder(text, "build$1"), "registryMaps");
        // The 2026 era's (build, behind buildSchemas2026), with its maps of schemas by method.
        text = lazySchemaBuilder(text, "build", ["dispatchRequestSchemas", "dispatchResultSchemas", "notificationSchemas2026"]);
        text += LAZY_PROPERTIES;
      } catch (error) {
        throw new Error(`schemas-built-when-used: ${(error as Error).message} in ${path}; check the SDK's layout`);
      }
      return { loader: "js", contents: text };
    });
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

/** Splits an object literal's body (between its braces) into its top-level entries. */
function topLevelEntries(body: string): string[] {
  const entries: string[] = [];
  let depth = 0;
  let start = 0;
  const templates: number[] = []; // brace depth at each open `${`
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i);
    if (c === '"' || c === "'") {
      for (i++; body[i] !== c; i++) if (body[i] === "\\") i++;
    } else if (c === "`" || (c === "}" && templates.at(-1) === depth)) {
      if (c === "}") templates.pop();
      for (i++; body[i] !== "`"; i++) {
        if (body[i] === "\\") i++;
        else if (body[i] === "$" && body[i + 1] === "{") {
          templates.push(depth);
          i++;
          break;
        }
      }
    } else if (c === "/" && body[i + 1] === "*") {
      i = body.indexOf("*/", i + 2) + 1;
    } else if (c === "/" && body[i + 1] === "/") {
      i = body.indexOf("\n", i);
    } else if (c === "/") {
      throw new Error("a regular expression or division: not handled");
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (c === "," && depth === 0) {
      entries.push(body.slice(start, i));
      start = i + 1;
    }
  }
  if (body.slice(start).trim()) entries.push(body.slice(start));
  return entries.map((e) => e.trim()).filter(Boolean);
}

const escapeDollars = (s: string) => s.replace(/[$]/g, "\\$&");

/**
 * An object whose every property is built by its thunk at first read, then kept (one getter's
 * code for all of them: the binary holds a getter's bytecode once, not per schema).
 */
const LAZY_PROPERTIES = `
function lazyProperties$(thunks) {
\tconst object = {};
\tfor (const key of Object.keys(thunks)) Object.defineProperty(object, key, {
\t\tget() {
\t\t\tconst value = thunks[key]();
\t\t\tObject.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
\t\t\treturn value;
\t\t},
\t\tenumerable: true,
\t\tconfigurable: true
\t});
\treturn object;
}
`;

/**
 * A function that builds schemas as `const`s and returns them all in one object: each built at
 * its first use instead, the object's properties getters that build and keep theirs. The `const`
 * objects named in `maps` (schemas by method) get such getters too.
 */
export function lazySchemaBuilder(text: string, fn: string, maps: string[] = []): string {
  const head = `\nfunction ${fn}() {\n`;
  const start = text.indexOf(head);
  if (start < 0) throw new Error(`no function ${fn}`);
  const bodyStart = start + head.length;
  const end = text.indexOf("\n}\n", bodyStart);
  const body = text.slice(bodyStart, end);
  const ret = body.lastIndexOf("\n\treturn {\n");
  if (ret < 0 || !body.endsWith("\n\t};")) throw new Error(`${fn} does not end in one returned object`);
  const names = [...body.slice(0, ret).matchAll(/^\tconst ([\w$]+) = /gm)].map((m) => m[1] as string);
  // Every use of one of them, but not its declaration nor a property of the same name.
  const refs = new RegExp(`(?<![\\w$])(?<![^.]\\.)(?<!\\tconst )(${names.map(escapeDollars).join("|")})(?![\\w$])`, "g");
  const lazyRefs = (code: string) => code.replace(refs, "$1$$g()");
  // `key: thunk` for lazyProperties$: a schema of the function's own by its builder, anything else by an arrow.
  const thunks = (entries: string, where: string) =>
    topLevelEntries(entries).map((entry) => {
      const [, key, value] = /^("[^"\n]+"|[\w$]+)(?:: ([\s\S]+))?$/.exec(entry) ?? [];
      if (!key) throw new Error(`${fn}: an entry of ${where} is not key: value`);
      return `${key}: ${names.includes(value ?? key) ? `${value ?? key}$g` : `() => (${lazyRefs(value ?? key)})`}`;
    });
  let count = 0;
  const decls = lazyRefs(body.slice(0, ret + 1)).replace(
    /^\tconst ([\w$]+) = ([\s\S]*?);\n(?=\t(?:const |function |\/\*\*|\/\/)|$)/gm,
    (_m, name: string, expr: string) => {
      count++;
      if (maps.includes(name)) {
        if (!/^\{[\s\S]*\}$/.test(expr)) throw new Error(`${fn}: ${name} is not an object`);
        expr = `lazyProperties$({\n\t\t${thunks(expr.slice(1, -1), name).join(",\n\t\t")}\n\t})`;
      }
      return `\tlet ${name}$v; const ${name}$g = () => ${name}$v ??= (${expr});\n`;
    },
  );
  if (count !== names.length) throw new Error(`${fn}: ${names.length} consts, ${count} made lazy`);
  const returned = body.slice(ret + "\n\treturn {\n".length, body.length - "\n\t};".length);
  return `${text.slice(0, bodyStart)}${decls}\treturn lazyProperties$({\n\t\t${thunks(returned, "its returned object").join(",\n\t\t")}\n\t});${text.slice(end)}`;
}

/** In function `fn`, the maps' entries `key: s.Name` become getters: read at first lookup. */
export function lazyMapEntries(text: string, fn: string): string {
  const head = `\nfunction ${fn}() {\n`;
  const start = text.indexOf(head);
  if (start < 0) throw new Error(`no function ${fn}`);
  const end = text.indexOf("\n}\n", start);
  let count = 0;
  const body = text.slice(start, end).replace(/^(\t\t\t)("[^"\n]+"|[\w$]+): (s\.[\w$]+)(,?)$/gm, (_m, indent, key, value, comma) => {
    count++;
    return `${indent}get ${key}() { return ${value}; }${comma}`;
  });
  if (count < 20) throw new Error(`${fn}: only ${count} map entries`);
  return text.slice(0, start) + body + text.slice(end);
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
  /** What to compile: src/cli.ts unless a benchmark compiles its floor server the same way. */
  entrypoint?: string;
}

/** Compiles src/cli.ts into one executable. Throws with Bun's messages when the build fails. */
export async function buildBinary({
  target,
  outfile,
  commit,
  bytecode = true,
  entrypoint = `${ROOT}/src/cli.ts`,
}: BuildOptions): Promise<void> {
  const result = await Bun.build({
    entrypoints: [entrypoint],
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
