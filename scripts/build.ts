// The build behind scripts/build: one executable, with the bytecode of the code inside (start-up
// takes about half as long; docs/PERFORMANCE.md has the figures).
import type { BunPlugin } from "bun";

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

const result = await Bun.build({
  entrypoints: ["src/cli.ts"],
  // Tier-up thresholds x8 until src/cli.ts resets them after the start: compiling code that runs
  // once at start-up would cost more than it saves (about 5-10 ms less to the first initialize).
  compile: { outfile: "dist/mcp-chat", jitPolicy: 8 },
  target: "bun",
  format: "esm", // --bytecode needs ESM output
  bytecode: true,
  minify: true,
  plugins: [withoutAjv],
});
if (!result.success) {
  for (const message of result.logs) console.error(message);
  process.exit(1);
}
