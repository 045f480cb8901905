// The command lines of `mcp-chat peek`, `say` and `tail`: who the command acts as, and where the
// chat is (a database file here, or a server over HTTP).
import { ConfigError, defaultDbPath } from "../config.ts";

export const AGENT_COMMANDS = ["peek", "say", "tail"] as const;
export type AgentCommandName = (typeof AGENT_COMMANDS)[number];

/** What each client's hook needs printed to wake its agent (docs/WAKE-UPS.md). */
export const HOOK_KINDS = ["claude", "codex", "gemini"] as const;
export type HookKind = (typeof HOOK_KINDS)[number];

/** Who a command acts as: a named identity (as --as does), or a client_id the user holds. */
export type Who = { name: string } | { clientId: string };

/** Where the chat is: the database file, or a server (with its access token, if it needs one). */
export type Reach = { dbPath: string } | { remote: URL; token?: string };

export type AgentCommand =
  | { kind: "peek"; who: Who; reach: Reach; hook?: HookKind }
  | { kind: "say"; who: { name: string }; reach: Reach; room: string; text: string }
  | { kind: "tail"; who: { name: string }; reach: Reach; room: string };

const FLAGS = ["as", "db", "remote", "token", "hook"] as const;
type Flag = (typeof FLAGS)[number];

export const isAgentCommand = (word: string | undefined): word is AgentCommandName =>
  (AGENT_COMMANDS as readonly string[]).includes(word ?? "");

/**
 * `argv` starts with the command's name. The environment fills in what the flags leave out, as for
 * the server: MCP_CHAT_AS, MCP_CHAT_DB, MCP_CHAT_REMOTE, MCP_CHAT_TOKEN; and MCP_CHAT_CLIENT_ID, a
 * client_id for peek.
 */
export function parseAgentCommand(argv: string[], env: Record<string, string | undefined>, platform: string): AgentCommand {
  const [kind, ...rest] = argv as [AgentCommandName, ...string[]];
  const { flags, words } = split(kind, rest);
  const pick = (flag: Flag, variable?: string) => flags[flag] ?? (variable ? env[variable]?.trim() || undefined : undefined);
  // Flags that contradict each other are a mistake; the environment only fills in.
  if (flags.token !== undefined && pick("remote", "MCP_CHAT_REMOTE") === undefined) throw new ConfigError("--token goes with --remote");
  if (flags.db !== undefined && flags.remote !== undefined) throw new ConfigError(`${kind} reads either --db or --remote, not both`);
  const remote = flags.db === undefined ? pick("remote", "MCP_CHAT_REMOTE") : undefined;
  const reach =
    remote === undefined
      ? { dbPath: pick("db", "MCP_CHAT_DB") ?? defaultDbPath(platform, env) }
      : remoteOf(remote, pick("token", "MCP_CHAT_TOKEN"));
  const name = pick("as", "MCP_CHAT_AS");
  if (flags.hook !== undefined && kind !== "peek") throw new ConfigError("--hook goes with peek only");
  if (kind === "peek") {
    if (words.length > 0) throw new ConfigError(`peek takes no ${words[0]}: mcp-chat peek --as NAME`);
    const clientId = env.MCP_CHAT_CLIENT_ID?.trim() || undefined;
    if (name === undefined && clientId === undefined)
      throw new ConfigError("peek needs to know who you are: --as NAME, or your client_id in MCP_CHAT_CLIENT_ID");
    return { kind, who: name === undefined ? { clientId: clientId! } : { name }, reach, hook: hookOf(flags.hook) };
  }
  if (name === undefined) throw new ConfigError(`${kind} needs --as NAME: the name you chat under`);
  if (kind === "say") {
    const [room, text, extra] = words;
    if (room === undefined || text === undefined || extra !== undefined)
      throw new ConfigError('say takes a room and one text: mcp-chat say ROOM "TEXT" --as NAME');
    return { kind, who: { name }, reach, room, text };
  }
  const [room, extra] = words;
  if (room === undefined || extra !== undefined) throw new ConfigError("tail takes one room: mcp-chat tail ROOM --as NAME");
  return { kind, who: { name }, reach, room };
}

/** The flags (`--name value`, `--name=value`) and the other words, in order; after `--`, words only (a text may start with --). */
function split(kind: string, argv: string[]): { flags: Partial<Record<Flag, string>>; words: string[] } {
  const flags: Partial<Record<Flag, string>> = {};
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      words.push(...argv.slice(i + 1));
      break;
    }
    const [, name, inline] = /^--([^=]+)(?:=(.*))?$/s.exec(arg) ?? [];
    if (name === undefined) {
      words.push(arg);
      continue;
    }
    if (!(FLAGS as readonly string[]).includes(name)) throw new ConfigError(`${kind} has no option --${name}`);
    const value = (inline ?? argv[++i])?.trim();
    if (!value) throw new ConfigError(`--${name} needs a value`);
    flags[name as Flag] = value;
  }
  return { flags, words };
}

function remoteOf(remote: string, token: string | undefined): Reach {
  if (!/^https?:\/\/./i.test(remote) || !URL.canParse(remote))
    throw new ConfigError(`--remote must be an http(s):// URL such as http://127.0.0.1:8000/mcp, not "${remote}"`);
  // The server's variable may list several tokens; a client sends one, the first (as --stdio --remote does).
  const first = token?.split(/[\n,]/)[0]?.trim();
  return first ? { remote: new URL(remote), token: first } : { remote: new URL(remote) };
}

function hookOf(raw: string | undefined): HookKind | undefined {
  if (raw === undefined) return undefined;
  if (!(HOOK_KINDS as readonly string[]).includes(raw)) throw new ConfigError(`--hook takes one of ${HOOK_KINDS.join(", ")}, not "${raw}"`);
  return raw as HookKind;
}
