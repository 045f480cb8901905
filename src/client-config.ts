// What `mcp-chat --print-config CLIENT` prints: each MCP client's own configuration format, in one
// place. Checked against each client's documentation (docs/INSTALL.md links them).

export const CLIENTS = ["claude-code", "claude-desktop", "codex", "cursor", "vscode"] as const;
export type ClientName = (typeof CLIENTS)[number];

/** How the client reaches the server: it starts this binary over stdio, or it connects to a URL. */
export type ServerEntry = { command: string; args: string[] } | { url: string };

export interface ClientConfig {
  /** The configuration itself, as the client's file holds it: printed alone on stdout. */
  text: string;
  /** Where it goes, for stderr. */
  where: string;
}

/** The name the server is saved under in every client. */
export const SERVER_NAME = "mcp-chat";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** A TOML basic string: JSON's escapes are TOML's, but TOML also wants DEL escaped. */
const tomlString = (text: string) => JSON.stringify(text).replaceAll("\u007f", "\\u007F");

/** One argument for a POSIX shell, in single quotes. */
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** Plain HTTP to another machine: mcp-remote refuses it unless told (--allow-http) that it is meant. */
const isPlainHttpAway = (url: string) => {
  const { protocol, hostname } = new URL(url);
  return protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(hostname);
};

/** The configuration for `client`; `platform` (process.platform) only changes where the file is. */
export function clientConfig(client: ClientName, server: ServerEntry, platform: string): ClientConfig {
  const stdio = "command" in server;
  switch (client) {
    case "claude-code": {
      const entry = stdio ? { type: "stdio", ...server } : { type: "http", url: server.url };
      return {
        text: json({ mcpServers: { [SERVER_NAME]: entry } }),
        where:
          "Claude Code: save it as .mcp.json at a project's root (shared with the project), or add it for yourself with\n" +
          `  claude mcp add-json ${SERVER_NAME} ${shellQuote(JSON.stringify(entry))}`,
      };
    }
    case "claude-desktop": {
      // Its file takes stdio servers only: a URL goes through the mcp-remote bridge (needs Node's npx).
      const bridge = stdio ? undefined : ["-y", "mcp-remote", server.url, ...(isPlainHttpAway(server.url) ? ["--allow-http"] : [])];
      const entry = stdio ? server : { command: "npx", args: bridge };
      const file =
        platform === "win32"
          ? "%APPDATA%\\Claude\\claude_desktop_config.json"
          : platform === "darwin"
            ? "~/Library/Application Support/Claude/claude_desktop_config.json"
            : "claude_desktop_config.json";
      return {
        text: json({ mcpServers: { [SERVER_NAME]: entry } }),
        where:
          `Claude Desktop: merge it into ${file} (Settings > Developer > Edit Config), then restart the app.` +
          (stdio ? "" : "\nIts file takes stdio servers only, so the URL goes through the mcp-remote bridge, which needs Node (npx)."),
      };
    }
    case "codex": {
      const lines = stdio
        ? [`command = ${tomlString(server.command)}`, `args = [${server.args.map(tomlString).join(", ")}]`]
        : [`url = ${tomlString(server.url)}`];
      return {
        text: `[mcp_servers.${SERVER_NAME}]\n${lines.join("\n")}\n`,
        where: "Codex: add it to ~/.codex/config.toml (or .codex/config.toml in a trusted project).",
      };
    }
    case "cursor":
      return {
        text: json({ mcpServers: { [SERVER_NAME]: server } }),
        where: "Cursor: merge it into .cursor/mcp.json in a project, or ~/.cursor/mcp.json for every project.",
      };
    case "vscode": {
      const entry = stdio ? { type: "stdio", ...server } : { type: "http", url: server.url };
      return {
        text: json({ servers: { [SERVER_NAME]: entry } }),
        where: "VS Code: merge it into .vscode/mcp.json in a workspace (or MCP: Open User Configuration).",
      };
    }
  }
}
