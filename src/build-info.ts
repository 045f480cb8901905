// What `--version` says: the version from package.json, and the commit scripts/build.ts baked in.
import { version } from "../package.json" with { type: "json" };

/** Set by scripts/build.ts (a `define`); undefined when the code runs from source with `bun src/cli.ts`. */
declare const MCP_CHAT_BUILD_COMMIT: string | undefined;

/** The commit the binary was built from ("-dirty" when the tree had changes), or undefined from source. */
export const buildCommit: string | undefined = typeof MCP_CHAT_BUILD_COMMIT === "string" ? MCP_CHAT_BUILD_COMMIT : undefined;

export { version };

/** `mcp-chat 0.1.0, commit 0123456789ab`, or `mcp-chat 0.1.0, run from source`. */
export function versionText(): string {
  return `mcp-chat ${version}, ${buildCommit === undefined ? "run from source" : `commit ${buildCommit}`}`;
}
