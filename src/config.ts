// Every option once: its flag, its environment variable, its default and why.
import { nameProblem } from "./chat/names.ts";

export interface Limits {
  /** Longest display name, in characters after trimming. */
  maxNameLength: number;
  /** Longest message, in characters. */
  maxMessageLength: number;
  /** Most members a group room takes. */
  maxGroupMembers: number;
  /** Most calls (wait_for_message, enter_queue) one participant may have waiting at once. */
  maxWaitsPerParticipant: number;
}

export interface Timing {
  /** Seconds a wait lasts when the caller gives no timeout: well under the 60 s most clients allow. */
  defaultWaitSeconds: number;
  /** Longest wait a caller may ask for; longer ones are clamped. */
  maxWaitSeconds: number;
  /** Seconds a queue entry stays matchable after its enter_queue call returned. */
  queueGraceSeconds: number;
  /** Seconds without any call after which a participant counts as gone (longer than any wait). */
  idleTimeoutSeconds: number;
}

export interface Config {
  mode: "http" | "stdio";
  /** With --stdio: act as this named local identity, kept in the database across restarts. */
  localName?: string;
  host: string;
  port: number;
  /** HTTP sessions held at once; a new one beyond it replaces the one idle the longest. */
  maxSessions: number;
  dbPath: string;
  timing: Timing;
  limits: Limits;
}

/**
 * How often the server speaks on a quiet connection, and how long it lets one stay silent. Not
 * options of the command line: tests set them short, so that no test waits out 10 s.
 */
export interface Intervals {
  /** notifications/progress while a call that carries a progress token blocks: often enough for the common 15-60 s client time-outs. */
  progressMs: number;
  /** An SSE comment on every open stream, for proxies that close quiet connections. */
  keepAliveMs: number;
  /** Seconds of silence after which a connection is closed, except while /mcp answers a request. */
  idleSeconds: number;
}

export const defaultIntervals: Intervals = { progressMs: 10_000, keepAliveMs: 15_000, idleSeconds: 10 };

export const defaultTiming: Timing = {
  defaultWaitSeconds: 30,
  maxWaitSeconds: 300,
  queueGraceSeconds: 15,
  idleTimeoutSeconds: 600,
};
export const defaultLimits: Limits = {
  maxNameLength: 64,
  maxMessageLength: 8_000,
  maxGroupMembers: 100,
  maxWaitsPerParticipant: 8,
};

/**
 * The default database: $XDG_DATA_HOME/mcp-chat/chat.db, else ~/.local/share/mcp-chat/chat.db.
 * node:os is fetched only without $HOME: an import would load it at every start (see src/db/open.ts).
 */
function defaultDbPath(env: Record<string, string | undefined>): string {
  const dataHome = env.XDG_DATA_HOME || `${env.HOME || process.getBuiltinModule("node:os").homedir()}/.local/share`;
  return `${dataHome}/mcp-chat/chat.db`;
}

const options = {
  stdio: { type: "boolean", help: "Serve one client over stdin/stdout instead of HTTP." },
  as: { type: "string", env: "MCP_CHAT_AS", help: "With --stdio: be the named local participant NAME, the same after restarts." },
  host: { type: "string", env: "MCP_CHAT_HOST", help: "Address to listen on (default 127.0.0.1)." },
  port: { type: "string", env: "PORT", help: "HTTP port (default 8000; 0 picks a free one)." },
  "max-sessions": { type: "string", env: "MCP_CHAT_MAX_SESSIONS", help: "Most HTTP sessions held at once (default 20000); a new one replaces the one idle the longest." },
  db: { type: "string", env: "MCP_CHAT_DB", help: "SQLite file (default $XDG_DATA_HOME/mcp-chat/chat.db)." },
  "default-wait": { type: "string", env: "MCP_CHAT_DEFAULT_WAIT", help: "Seconds a wait lasts when the caller gives none (default 30)." },
  "max-wait": { type: "string", env: "MCP_CHAT_MAX_WAIT", help: "Longest wait in seconds, at most 86400; longer requests are clamped (default 300)." },
  "queue-grace": { type: "string", env: "MCP_CHAT_QUEUE_GRACE", help: "Seconds a queue entry stays matchable after enter_queue returned (default 15)." },
  "idle-timeout": { type: "string", env: "MCP_CHAT_IDLE_TIMEOUT", help: "Seconds without a call after which a participant counts as gone (default 600)." },
  "max-message": { type: "string", env: "MCP_CHAT_MAX_MESSAGE", help: "Longest message in characters (default 8000)." },
  "max-name": { type: "string", env: "MCP_CHAT_MAX_NAME", help: "Longest display name in characters (default 64)." },
  "max-members": { type: "string", env: "MCP_CHAT_MAX_MEMBERS", help: "Most members in a group room (default 100)." },
  "max-waits": { type: "string", env: "MCP_CHAT_MAX_WAITS", help: "Most waiting calls one participant may have at once (default 8)." },
  help: { type: "boolean", short: "h", help: "Show this help." },
  version: { type: "boolean", short: "v", help: "Show the version." },
} as const;

type OptionName = keyof typeof options;

/** The largest request accepted, in bytes: an HTTP body, or a line over stdio. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** The largest --max-wait accepted. */
const MAX_WAIT_LIMIT_SECONDS = 86_400;

export type CliRequest = { kind: "help" } | { kind: "version" } | { kind: "serve"; config: Config };

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = Object.entries(options).map(([name, o]) => {
    const flag = `${"short" in o ? `-${o.short}, ` : ""}--${name}${o.type === "string" ? " VALUE" : ""}`;
    const env = "env" in o ? ` [env ${o.env}]` : "";
    return `  ${flag.padEnd(22)} ${o.help}${env}`;
  });
  return ["Usage: mcp-chat [--stdio] [options]", "", "Options:", ...lines].join("\n");
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliRequest {
  const values = parseFlags(argv);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const pick = (name: OptionName): string | undefined => {
    const option = options[name];
    const fromFlag = values[name];
    if (typeof fromFlag === "string") return fromFlag;
    return "env" in option ? env[option.env] || undefined : undefined;
  };
  const seconds = (name: OptionName, fallback: number) => number(name, pick(name), fallback, 0);
  const count = (name: OptionName, fallback: number) => whole(name, pick(name), fallback, 1);
  // At most a day: far beyond any client's patience, and well inside what a timer can count (24.8 days).
  const maxWaitSeconds = number("max-wait", pick("max-wait"), defaultTiming.maxWaitSeconds, 0, MAX_WAIT_LIMIT_SECONDS);
  const timing: Timing = {
    maxWaitSeconds,
    // A lower --max-wait alone also lowers the default; an explicit default above it is a mistake.
    defaultWaitSeconds: seconds("default-wait", Math.min(defaultTiming.defaultWaitSeconds, maxWaitSeconds)),
    // At least a second: with none, no entry would ever be matchable.
    queueGraceSeconds: number("queue-grace", pick("queue-grace"), defaultTiming.queueGraceSeconds, 1),
    idleTimeoutSeconds: seconds("idle-timeout", defaultTiming.idleTimeoutSeconds),
  };
  if (timing.defaultWaitSeconds > timing.maxWaitSeconds) {
    throw new ConfigError("--default-wait cannot be longer than --max-wait");
  }
  // A call that waits the longest allowed time must not count as gone meanwhile.
  if (timing.idleTimeoutSeconds <= timing.maxWaitSeconds) {
    throw new ConfigError("--idle-timeout must be longer than --max-wait");
  }
  const limits: Limits = {
    maxMessageLength: count("max-message", defaultLimits.maxMessageLength),
    maxNameLength: count("max-name", defaultLimits.maxNameLength),
    maxGroupMembers: count("max-members", defaultLimits.maxGroupMembers),
    maxWaitsPerParticipant: count("max-waits", defaultLimits.maxWaitsPerParticipant),
  };
  const localName = pick("as")?.trim();
  if (localName !== undefined) {
    if (!values.stdio) throw new ConfigError("--as works with --stdio only: over HTTP each client brings its own identity");
    const tooLongOrShort = localName.length < 1 || localName.length > limits.maxNameLength;
    const problem = tooLongOrShort ? `must be 1-${limits.maxNameLength} characters` : nameProblem(localName);
    if (problem) throw new ConfigError(`--as ${problem}`);
  }
  return {
    kind: "serve",
    config: {
      mode: values.stdio ? "stdio" : "http",
      localName,
      host: pick("host") ?? "127.0.0.1",
      port: whole("port", pick("port"), 8000, 0, 65535),
      maxSessions: whole("max-sessions", pick("max-sessions"), 20_000, 1),
      dbPath: pick("db") ?? defaultDbPath(env),
      timing,
      limits,
    },
  };
}

/**
 * The flags given: `--name value`, `--name=value`, `--flag`, `-h`. Not node:util's parseArgs,
 * which would put 0.3 MB of Bun's JavaScript for node:util into the binary.
 */
function parseFlags(argv: string[]): Partial<Record<OptionName, string | boolean>> {
  const values: Partial<Record<OptionName, string | boolean>> = {};
  const known = (name: string | undefined): name is OptionName => name !== undefined && Object.hasOwn(options, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [, long, inline] = /^--([^=]+)(?:=(.*))?$/s.exec(arg) ?? [];
    const name = long ?? Object.entries(options).find(([, o]) => "short" in o && `-${o.short}` === arg)?.[0];
    if (!known(name)) {
      throw new ConfigError(arg.startsWith("-") ? `unknown option ${arg}` : `unexpected argument ${arg}: mcp-chat takes options only`);
    }
    if (options[name].type === "boolean") {
      if (inline !== undefined) throw new ConfigError(`--${name} takes no value`);
      values[name] = true;
    } else {
      const value = inline ?? argv[++i];
      // `--db --stdio` forgot the file name: a value that looks like a flag must come as --db=--x.
      // An empty one (`--host "$UNSET"`) is no value either: "" would listen on every interface.
      if (value === undefined || value.trim() === "" || (inline === undefined && value.startsWith("--"))) {
        throw new ConfigError(`--${name} needs a value`);
      }
      values[name] = value;
    }
  }
  return values;
}

function number(name: string, raw: string | undefined, fallback: number, min: number, max = Infinity): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a number from ${min}${max === Infinity ? " up" : ` to ${max}`}, not "${raw}"`);
  }
  return value;
}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max = Infinity): number {
  const value = number(name, raw, fallback, min, max);
  if (!Number.isInteger(value)) throw new ConfigError(`--${name} must be a whole number, not "${raw}"`);
  return value;
}
