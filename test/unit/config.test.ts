// The command line on its own: the flag parser that stands in for node:util's parseArgs.
import { describe, expect, test } from "bun:test";
import { type CliRequest, ConfigError, defaultDbPath, parseCli } from "../../src/config.ts";

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const request: CliRequest = parseCli(argv, { HOME: "/home/me", ...env });
  if (request.kind !== "serve") throw new Error(`expected a serve request, got ${request.kind}`);
  return request.config;
};
const refused = (argv: string[]) => () => parseCli(argv, { HOME: "/home/me" });

describe("the default database", () => {
  test("is where each system keeps an application's data", () => {
    expect(defaultDbPath("linux", { HOME: "/home/me" })).toBe("/home/me/.local/share/mcp-chat/chat.db");
    expect(defaultDbPath("linux", { HOME: "/home/me", XDG_DATA_HOME: "/data" })).toBe("/data/mcp-chat/chat.db");
    expect(defaultDbPath("freebsd", { HOME: "/home/me" })).toBe("/home/me/.local/share/mcp-chat/chat.db");
    expect(defaultDbPath("darwin", { HOME: "/Users/me" })).toBe("/Users/me/Library/Application Support/mcp-chat/chat.db");
    // A Mac keeps application data in Application Support, $XDG_DATA_HOME or not.
    expect(defaultDbPath("darwin", { HOME: "/Users/me", XDG_DATA_HOME: "/x" })).toBe(
      "/Users/me/Library/Application Support/mcp-chat/chat.db",
    );
    const windows = { LOCALAPPDATA: "C:\\Users\\me\\AppData\\Local", USERPROFILE: "C:\\Users\\me", HOME: "/c/Users/me" };
    expect(defaultDbPath("win32", windows)).toBe("C:\\Users\\me\\AppData\\Local\\mcp-chat\\chat.db");
    // Without LOCALAPPDATA (a stripped environment), the same folder under the profile.
    expect(defaultDbPath("win32", { USERPROFILE: "D:\\home\\me" })).toBe("D:\\home\\me\\AppData\\Local\\mcp-chat\\chat.db");
  });

  test("comes from the platform given to parseCli, and --db or MCP_CHAT_DB overrides it", () => {
    const config = (platform: string, argv: string[] = [], env: Record<string, string> = {}) => {
      const request = parseCli(argv, { HOME: "/Users/me", LOCALAPPDATA: "C:\\L", ...env }, platform);
      if (request.kind !== "serve") throw new Error(request.kind);
      return request.config.dbPath;
    };
    expect(config("darwin")).toBe("/Users/me/Library/Application Support/mcp-chat/chat.db");
    expect(config("win32")).toBe("C:\\L\\mcp-chat\\chat.db");
    expect(config("win32", ["--db", "x.db"])).toBe("x.db");
    expect(config("darwin", [], { MCP_CHAT_DB: "/tmp/y.db" })).toBe("/tmp/y.db");
  });
});

describe("parseCli", () => {
  test("takes values after the flag or after =, and booleans alone", () => {
    expect(serve(["--port", "9000", "--db=/tmp/x.db", "--stdio"])).toMatchObject({ port: 9000, dbPath: "/tmp/x.db", mode: "stdio" });
    expect(serve(["--db=--odd-name.db"]).dbPath).toBe("--odd-name.db");
  });

  test("-h and -v are --help and --version", () => {
    expect(parseCli(["-h"], {}).kind).toBe("help");
    expect(parseCli(["--version"], {}).kind).toBe("version");
  });

  test("flags win over environment variables, which win over defaults", () => {
    expect(serve([], { PORT: "7000" }).port).toBe(7000);
    expect(serve(["--port", "7001"], { PORT: "7000" }).port).toBe(7001);
    expect(serve([]).dbPath).toBe("/home/me/.local/share/mcp-chat/chat.db");
    expect(serve([], { XDG_DATA_HOME: "/data" }).dbPath).toBe("/data/mcp-chat/chat.db");
  });

  test("refuses what it cannot read, saying what is wrong", () => {
    expect(refused(["--nope"])).toThrow(new ConfigError("unknown option --nope"));
    expect(refused(["chat.db"])).toThrow(/unexpected argument chat\.db/);
    expect(refused(["--db"])).toThrow(new ConfigError("--db needs a value"));
    expect(refused(["--db", "--stdio"])).toThrow(new ConfigError("--db needs a value"));
    expect(refused(["--stdio=yes"])).toThrow(new ConfigError("--stdio takes no value"));
    expect(refused(["--port", "-1"])).toThrow(/--port must be a number from 0 to 65535/);
    // `--host "$HOST"` with HOST unset: "" would mean every interface, and no Host check.
    expect(refused(["--host", ""])).toThrow(new ConfigError("--host needs a value"));
    expect(refused(["--db="])).toThrow(new ConfigError("--db needs a value"));
    // Past a day a wait would outgrow what a timer can count.
    expect(refused(["--max-wait", "86401", "--idle-timeout", "100000"])).toThrow(/--max-wait must be a number from 0 to 86400/);
    expect(serve(["--max-wait", "86400", "--idle-timeout", "86401"]).timing.maxWaitSeconds).toBe(86400);
    // --as follows the display_name rules.
    expect(refused(["--stdio", "--as", "a\u0007b"])).toThrow(new ConfigError("--as cannot contain control characters"));
    expect(refused(["--stdio", "--as", "\u200b"])).toThrow(new ConfigError("--as needs at least one visible character"));
    expect(serve(["--stdio", "--as", "planner 👩‍💻"]).localName).toBe("planner 👩‍💻");
    // Its length counts code points, as display_name's does: 64 emoji fit, 65 do not.
    expect(serve(["--stdio", "--as", "😀".repeat(64)]).localName).toBe("😀".repeat(64));
    expect(refused(["--stdio", "--as", "😀".repeat(65)])).toThrow(new ConfigError("--as must be 1-64 characters"));
    expect(refused(["--stdio", "--as", "System"])).toThrow(/--as cannot be "system"/);
  });

  test("each number keeps to its range and kind, and the waits to each other", () => {
    expect(refused(["--max-message", "2.5"])).toThrow(new ConfigError('--max-message must be a whole number, not "2.5"'));
    expect(refused(["--queue-grace", "0"])).toThrow(new ConfigError('--queue-grace must be a number from 1 up, not "0"'));
    expect(serve(["--queue-grace", "1.5"]).timing.queueGraceSeconds).toBe(1.5);
    expect(refused(["--default-wait", "100", "--max-wait", "10"])).toThrow(
      new ConfigError("--default-wait cannot be longer than --max-wait"),
    );
    expect(refused(["--max-wait", "600"])).toThrow(new ConfigError("--idle-timeout must be longer than --max-wait"));
    // A lower --max-wait alone lowers the default wait with it.
    expect(serve(["--max-wait", "10"]).timing).toMatchObject({ maxWaitSeconds: 10, defaultWaitSeconds: 10 });
    expect(serve([]).timing).toMatchObject({ maxWaitSeconds: 300, defaultWaitSeconds: 30, queueGraceSeconds: 15, idleTimeoutSeconds: 600 });
    expect(serve([])).toMatchObject({ host: "127.0.0.1", port: 8000, maxSessions: 20000 });
  });
});

describe("access and limits options", () => {
  test("a public address needs a token, a JWKS or --insecure-no-auth (a flag, or its variable set to 1, true or yes)", () => {
    expect(refused(["--host", "0.0.0.0"])).toThrow("without access control");
    expect(serve(["--host", "0.0.0.0", "--insecure-no-auth"]).host).toBe("0.0.0.0");
    expect(serve(["--host", "0.0.0.0"], { MCP_CHAT_INSECURE_NO_AUTH: "yes" }).host).toBe("0.0.0.0");
    expect(() => parseCli(["--host", "0.0.0.0"], { HOME: "/h", MCP_CHAT_INSECURE_NO_AUTH: "0" })).toThrow("without access control");
    expect(serve(["--host", "0.0.0.0", "--token", "0123456789abcdef0123"]).access.tokens).toEqual(["0123456789abcdef0123"]);
  });

  test("tokens repeat or come comma-separated; short ones, bad URLs and bad origins are refused", () => {
    expect(serve(["--token", "aaaaaaaaaaaaaaaa1", "--token", "bbbbbbbbbbbbbbbb2"]).access.tokens).toEqual([
      "aaaaaaaaaaaaaaaa1",
      "bbbbbbbbbbbbbbbb2",
    ]);
    expect(serve([], { MCP_CHAT_TOKEN: "aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2" }).access.tokens).toEqual([
      "aaaaaaaaaaaaaaaa1",
      "bbbbbbbbbbbbbbbb2",
    ]);
    expect(refused(["--token", "short"])).toThrow("at least 16 characters");
    expect(refused(["--public-url", "chat.example.com"])).toThrow("--public-url must be a URL");
    expect(refused(["--allowed-origins", "not an origin"])).toThrow("--allowed-origins takes origins");
    expect(refused(["--jwks-url", "https://id.example.com/jwks"])).toThrow("--jwks-url needs --issuer");
    expect(serve(["--allowed-origins", "https://app.example.com/path"]).access.allowedOrigins).toEqual(["https://app.example.com"]);
  });

  test("--trust-proxy comes from its flag or its variable; limits are whole numbers of 1 or more", () => {
    expect(serve([]).perAddress.trustProxy).toBe(false);
    expect(serve(["--trust-proxy"]).perAddress.trustProxy).toBe(true);
    expect(serve([], { MCP_CHAT_TRUST_PROXY: "true" }).perAddress.trustProxy).toBe(true);
    expect(refused(["--rate-sends", "0"])).toThrow("--rate-sends must be a number from 1");
    expect(serve(["--rate-sends", "10"]).limits.sendsPerMinute).toBe(10);
    expect(serve(["--retention", "30"]).retentionDays).toBe(30);
    expect(serve([]).retentionDays).toBeUndefined();
  });
});

describe("--channel", () => {
  test("is off by default, on by its flag or its variable, and only with --stdio from a database", () => {
    expect(serve(["--stdio"]).channel).toBe(false);
    expect(serve(["--stdio", "--channel"]).channel).toBe(true);
    expect(serve(["--stdio"], { MCP_CHAT_CHANNEL: "1" }).channel).toBe(true);
    expect(refused(["--channel"])).toThrow(
      new ConfigError("--channel works with --stdio only: it notifies the one client of a stdio process"),
    );
    expect(() => parseCli([], { HOME: "/home/me", MCP_CHAT_CHANNEL: "yes" })).toThrow("--channel works with --stdio only");
    expect(refused(["--stdio", "--channel", "--remote", "https://chat.example.com/mcp"])).toThrow(
      new ConfigError("--channel does not work with --remote: the relay has no database to watch"),
    );
  });
});

describe("mcp-chat loop-guard", () => {
  test("takes a room and a whole number or default, with --db", () => {
    expect(parseCli(["loop-guard", "lobby", "10", "--db", "/tmp/c.db"], {})).toEqual({
      kind: "loop-guard",
      dbPath: "/tmp/c.db",
      roomId: "lobby",
      limit: 10,
    });
    expect(parseCli(["loop-guard", "lobby", "default", "--db", "/tmp/c.db"], {})).toMatchObject({ limit: null });
    expect(parseCli(["loop-guard", "lobby", "0", "--db", "/tmp/c.db"], {})).toMatchObject({ limit: 0 });
    for (const argv of [
      ["loop-guard"],
      ["loop-guard", "lobby"],
      ["loop-guard", "lobby", "-1"],
      ["loop-guard", "lobby", "2.5"],
      ["loop-guard", "lobby", "many"],
    ]) {
      expect(refused(argv)).toThrow(ConfigError);
    }
  });
});
