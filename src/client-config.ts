// What `mcp-chat --print-config CLIENT` prints: each MCP client's own configuration format, in one
// place. Checked against each client's documentation (docs/INSTALL.md says where each file lives).

export const CLIENTS = ["claude-code", "claude-desktop", "codex", "cursor", "vscode"] as const;
export type ClientName = (typeof CLIENTS)[number];

/**
 * How the client reaches the server: it starts this binary over stdio, or it connects to a URL
 * (with a Bearer token). `relay` is how to start this binary, for a client that can only start
 * stdio servers: it then starts `--stdio --remote URL`.
 */
export type ServerEntry =
  | { command: string; args: string[] }
  | { url: string; token?: string; relay?: { command: string; args: string[] } };

export interface ClientConfig {
  /** The configuration itself, as the client's file holds it: printed alone on stdout. */
  text: string;
  /** Where it goes, one line for stderr. */
  where: string;
}

/** The name the server is saved under in every client. */
export const SERVER_NAME = "mcp-chat";

/** A TOML basic string: JSON's escapes are TOML's, but TOML also wants DEL escaped. */
const tomlString = (text: string) => JSON.stringify(text).replaceAll("\u007f", "\\u007F");

/** One argument for a POSIX shell, in single quotes. */
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/** Per JSON client: the key its file holds servers under, whether an entry names its type, where the file is. */
const JSON_CLIENTS = {
  "claude-code": ["mcpServers", true, ".mcp.json in a project, or run: claude mcp add-json"],
  "claude-desktop": ["mcpServers", false, "claude_desktop_config.json (Settings > Developer > Edit Config)"],
  cursor: ["mcpServers", false, ".cursor/mcp.json in a project, or ~/.cursor/mcp.json"],
  vscode: ["servers", true, ".vscode/mcp.json in a workspace"],
} as const;

/** The configuration for `client`, and where it goes (docs/INSTALL.md has more). */
export function clientConfig(client: ClientName, server: ServerEntry): ClientConfig {
  const stdio = "command" in server;
  const auth = !stdio && server.token ? `Bearer ${server.token}` : undefined;
  if (client === "codex") {
    const lines = stdio
      ? `command = ${tomlString(server.command)}\nargs = [${server.args.map(tomlString).join(", ")}]`
      : `url = ${tomlString(server.url)}${auth ? `\nhttp_headers = { Authorization = ${tomlString(auth)} }` : ""}`;
    return { text: `[mcp_servers.${SERVER_NAME}]\n${lines}\n`, where: "Goes in ~/.codex/config.toml" };
  }
  const [key, typed, where] = JSON_CLIENTS[client];
  const remote = stdio ? server : { url: server.url, ...(auth ? { headers: { Authorization: auth } } : {}) };
  let entry: object = typed ? { type: stdio ? "stdio" : "http", ...remote } : remote;
  // Claude Desktop's file takes stdio servers only: it starts this binary as a relay to the URL.
  if (client === "claude-desktop" && !stdio) {
    const relay = server.relay ?? { command: "mcp-chat", args: [] };
    const env = server.token ? { env: { MCP_CHAT_TOKEN: server.token } } : {};
    entry = { command: relay.command, args: [...relay.args, "--stdio", "--remote", server.url], ...env };
  }
  const command = client === "claude-code" ? ` ${SERVER_NAME} ${shellQuote(JSON.stringify(entry))}` : "";
  return { text: `${JSON.stringify({ [key]: { [SERVER_NAME]: entry } }, null, 2)}\n`, where: `Goes in ${where}${command}` };
}
