// --print-config: each client's configuration parses as that client's file format and says what it must.
import { describe, expect, test } from "bun:test";
import { CLIENTS, type ClientName, clientConfig, type ServerEntry } from "../../src/client-config.ts";
import { ConfigError, parseCli } from "../../src/config.ts";

const stdio: ServerEntry = { command: "/opt/mcp chat/bin/mcp-chat", args: ["--stdio", "--as", "planner"] };
const http: ServerEntry = { url: "http://127.0.0.1:8000/mcp" };

/** The file as the client reads it: TOML for Codex, JSON for the others. */
const parsed = (client: ClientName, server: ServerEntry) => {
  const { text } = clientConfig(client, server);
  return client === "codex" ? Bun.TOML.parse(text) : JSON.parse(text);
};

describe("clientConfig", () => {
  test("over stdio, every client starts this binary by its full path with --stdio", () => {
    expect(parsed("claude-code", stdio)).toEqual({ mcpServers: { "mcp-chat": { type: "stdio", ...stdio } } });
    expect(parsed("claude-desktop", stdio)).toEqual({ mcpServers: { "mcp-chat": stdio } });
    expect(parsed("codex", stdio)).toEqual({ mcp_servers: { "mcp-chat": stdio } });
    expect(parsed("cursor", stdio)).toEqual({ mcpServers: { "mcp-chat": stdio } });
    // VS Code's key is "servers", not "mcpServers", and it wants the type.
    expect(parsed("vscode", stdio)).toEqual({ servers: { "mcp-chat": { type: "stdio", ...stdio } } });
  });

  test("over HTTP, each client's own way to name a URL", () => {
    expect(parsed("claude-code", http)).toEqual({ mcpServers: { "mcp-chat": { type: "http", url: http.url } } });
    expect(parsed("codex", http)).toEqual({ mcp_servers: { "mcp-chat": { url: http.url } } });
    expect(parsed("cursor", http)).toEqual({ mcpServers: { "mcp-chat": { url: http.url } } });
    expect(parsed("vscode", http)).toEqual({ servers: { "mcp-chat": { type: "http", url: http.url } } });
    // Claude Desktop's file takes stdio servers only: this binary starts as a relay to the URL.
    const relay = { command: "/opt/mcp-chat", args: [] };
    expect(parsed("claude-desktop", { ...http, relay })).toEqual({
      mcpServers: { "mcp-chat": { command: "/opt/mcp-chat", args: ["--stdio", "--remote", http.url] } },
    });
  });

  test("with a token, every client sends it as a Bearer Authorization header", () => {
    const secured: ServerEntry = { url: "https://chat.example.com/mcp", token: "0123456789abcdef-token" };
    const headers = { Authorization: "Bearer 0123456789abcdef-token" };
    expect(parsed("claude-code", secured)).toEqual({ mcpServers: { "mcp-chat": { type: "http", url: secured.url, headers } } });
    expect(parsed("cursor", secured)).toEqual({ mcpServers: { "mcp-chat": { url: secured.url, headers } } });
    expect(parsed("vscode", secured)).toEqual({ servers: { "mcp-chat": { type: "http", url: secured.url, headers } } });
    // Codex takes literal headers as http_headers (an inline bearer_token it refuses).
    expect(parsed("codex", secured)).toEqual({ mcp_servers: { "mcp-chat": { url: secured.url, http_headers: headers } } });
    // The relay takes it from its environment, where no process listing shows it.
    expect(parsed("claude-desktop", secured).mcpServers["mcp-chat"]).toMatchObject({
      args: ["--stdio", "--remote", secured.url],
      env: { MCP_CHAT_TOKEN: "0123456789abcdef-token" },
    });
  });

  test("paths with backslashes, quotes and odd characters survive in TOML and in the shell command", () => {
    const windows = { command: 'C:\\Users\\O\'Neil\\AppData\\Local\\mcp "chat"\u007f\\mcp-chat.exe', args: ["--stdio"] };
    expect(parsed("codex", windows)).toEqual({ mcp_servers: { "mcp-chat": windows } });
    const { where } = clientConfig("claude-code", windows);
    const quoted = where.slice(where.indexOf("add-json mcp-chat ") + "add-json mcp-chat ".length);
    const echoed = Bun.spawnSync(["sh", "-c", `printf %s ${quoted}`]).stdout.toString();
    expect(JSON.parse(echoed)).toEqual({ type: "stdio", ...windows });
  });

  test("says where the configuration goes", () => {
    const where = Object.fromEntries(CLIENTS.map((client) => [client, clientConfig(client, stdio).where]));
    expect(where).toEqual({
      "claude-code": expect.stringContaining(".mcp.json"),
      "claude-desktop": expect.stringContaining("claude_desktop_config.json"),
      codex: expect.stringContaining("~/.codex/config.toml"),
      cursor: expect.stringContaining(".cursor/mcp.json"),
      vscode: expect.stringContaining(".vscode/mcp.json"),
    });
  });
});

describe("parseCli --print-config", () => {
  const request = (argv: string[], env: Record<string, string> = {}) => parseCli(argv, { HOME: "/home/me", ...env });

  test("names the client and the arguments of the stdio process, or the URL", () => {
    for (const client of CLIENTS) {
      expect(request(["--print-config", client])).toEqual({ kind: "print-config", client, stdioArgs: ["--stdio"] });
    }
    expect(request(["--print-config", "codex", "--as", " planner ", "--db", "/data/chat.db"])).toEqual({
      kind: "print-config",
      client: "codex",
      stdioArgs: ["--stdio", "--as", "planner", "--db", "/data/chat.db"],
    });
    // A relative file becomes absolute: the client may start the binary in another folder.
    expect(request(["--print-config", "cursor", "--db", "chat.db"])).toMatchObject({
      stdioArgs: ["--stdio", "--db", `${process.cwd()}/chat.db`],
    });
    expect(request(["--print-config=vscode", "--url", "https://chat.example.com/mcp"])).toEqual({
      kind: "print-config",
      client: "vscode",
      url: "https://chat.example.com/mcp",
    });
  });

  test("takes a token with --url, from the flag only", () => {
    expect(request(["--print-config", "codex", "--url", "https://x/mcp", "--token", "0123456789abcdef"])).toEqual({
      kind: "print-config",
      client: "codex",
      url: "https://x/mcp",
      token: "0123456789abcdef",
    });
    // The server's own tokens in the environment stay out of a printed configuration.
    expect(request(["--print-config", "codex", "--url", "https://x/mcp"], { MCP_CHAT_TOKEN: "0123456789abcdef" })).not.toHaveProperty(
      "token",
    );
    expect(() => request(["--print-config", "codex", "--token", "0123456789abcdef"])).toThrow(/--token goes with --url/);
    expect(() => request(["--print-config", "codex", "--url", "https://x/mcp", "--token", "a", "--token", "b"])).toThrow(
      new ConfigError("--print-config takes one --token, with no spaces"),
    );
  });

  test("refuses what would make a wrong configuration", () => {
    expect(() => request(["--print-config", "emacs"])).toThrow(
      new ConfigError('--print-config takes one of claude-code, claude-desktop, codex, cursor, vscode, not "emacs"'),
    );
    expect(() => request(["--print-config", "codex", "--url", "127.0.0.1:8000"])).toThrow(/--url must be an http\(s\):\/\/ URL/);
    expect(() => request(["--print-config", "codex", "--url", "http://x/mcp", "--as", "a"])).toThrow(
      new ConfigError("--as, --db and --channel go without --url"),
    );
    expect(() => request(["--print-config", "codex", "--url", "http://x/mcp", "--channel"])).toThrow(
      new ConfigError("--as, --db and --channel go without --url"),
    );
    expect(() => request(["--print-config", "codex", "--as", "a\u0007b"])).toThrow(
      new ConfigError("--as cannot contain control characters"),
    );
    expect(() => request(["--url", "http://x/mcp"])).toThrow(new ConfigError("--url works with --print-config only"));
    // The environment's MCP_CHAT_DB and MCP_CHAT_AS are for the stdio process: with --url they are no mistake.
    expect(request(["--print-config", "cursor", "--url", "http://x/mcp"], { MCP_CHAT_DB: "/d.db", MCP_CHAT_AS: "a" })).toEqual({
      kind: "print-config",
      client: "cursor",
      url: "http://x/mcp",
    });
    expect(request(["--print-config", "cursor"], { MCP_CHAT_DB: "/d.db", MCP_CHAT_AS: "a" })).toMatchObject({
      stdioArgs: ["--stdio", "--as", "a", "--db", "/d.db"],
    });
    expect(request(["--print-config", "claude-code", "--as", "Bob", "--channel"])).toMatchObject({
      stdioArgs: ["--stdio", "--as", "Bob", "--channel"],
    });
  });
});
