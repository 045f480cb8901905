// The command line on its own: the flag parser that stands in for node:util's parseArgs.
import { describe, expect, test } from "bun:test";
import { type CliRequest, ConfigError, parseCli } from "../../src/config.ts";

const serve = (argv: string[], env: Record<string, string> = {}) => {
  const request: CliRequest = parseCli(argv, { HOME: "/home/me", ...env });
  if (request.kind !== "serve") throw new Error(`expected a serve request, got ${request.kind}`);
  return request.config;
};
const refused = (argv: string[]) => () => parseCli(argv, { HOME: "/home/me" });

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
