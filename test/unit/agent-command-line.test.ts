// The command lines of peek, say and tail: who, where, and the mistakes a person makes, said plainly.
import { expect, test } from "bun:test";
import { parseAgentCommand } from "../../src/commands/command-line.ts";
import { ConfigError } from "../../src/config.ts";

const parse = (argv: string[], env: Record<string, string> = {}) => parseAgentCommand(argv, { HOME: "/home/ann", ...env }, "linux");
const refused =
  (argv: string[], env: Record<string, string> = {}) =>
  () =>
    parse(argv, env);

test("a local file by default, the server's default path included", () => {
  expect(parse(["peek", "--as", "Ann"])).toEqual({
    kind: "peek",
    who: { name: "Ann" },
    reach: { dbPath: "/home/ann/.local/share/mcp-chat/chat.db" },
    hook: undefined,
  });
  expect(parse(["say", "lobby", "hi there", "--as=Ann", "--db", "/x.db"])).toEqual({
    kind: "say",
    who: { name: "Ann" },
    reach: { dbPath: "/x.db" },
    room: "lobby",
    text: "hi there",
  });
});

test("a server with its token, from flags or from the environment (the first of a list)", () => {
  expect(parse(["tail", "lobby", "--as", "Ann", "--remote", "http://h:1/mcp", "--token", "t1"]).reach).toEqual({
    remote: new URL("http://h:1/mcp"),
    token: "t1",
  });
  expect(parse(["peek"], { MCP_CHAT_REMOTE: "https://c.example/mcp", MCP_CHAT_TOKEN: "a,b", MCP_CHAT_CLIENT_ID: "c_x" })).toEqual({
    kind: "peek",
    who: { clientId: "c_x" },
    reach: { remote: new URL("https://c.example/mcp"), token: "a" },
    hook: undefined,
  });
  // --db given on the command line wins over a server in the environment.
  expect(parse(["peek", "--as", "A", "--db", "/y.db"], { MCP_CHAT_REMOTE: "http://h/mcp" }).reach).toEqual({ dbPath: "/y.db" });
});

test("after --, a text may start with --", () => {
  expect(parse(["say", "--as", "A", "lobby", "--", "--verbose is on"])).toMatchObject({ room: "lobby", text: "--verbose is on" });
});

test("mistakes get a sentence", () => {
  expect(refused(["peek"])).toThrow(new ConfigError("peek needs to know who you are: --as NAME, or your client_id in MCP_CHAT_CLIENT_ID"));
  expect(refused(["say", "lobby", "--as", "A"])).toThrow(/say takes a room and one text/);
  expect(refused(["tail", "--as", "A"])).toThrow(/tail takes one room/);
  expect(refused(["tail", "r"])).toThrow(/tail needs --as NAME/);
  expect(refused(["peek", "--as", "A", "--hook", "vim"])).toThrow(/--hook takes one of claude, codex, gemini/);
  expect(refused(["say", "r", "t", "--as", "A", "--hook", "claude"])).toThrow(/--hook goes with peek only/);
  expect(refused(["peek", "--as", "A", "--token", "t"])).toThrow(/--token goes with --remote/);
  expect(refused(["peek", "--as", "A", "--db", "/x", "--remote", "http://h/mcp"])).toThrow(/not both/);
  expect(refused(["peek", "--as", "A", "--remote", "h:1"])).toThrow(/--remote must be an http\(s\):\/\/ URL/);
  expect(refused(["peek", "--as", "A", "--port", "1"])).toThrow(/peek has no option --port/);
  expect(refused(["peek", "--as"])).toThrow(/--as needs a value/);
});
