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

/** One option: how it is given, what it defaults to, what it accepts, and what `--help` says of it. */
export interface Option {
  /** A boolean is a flag alone; the others take text, any number, or a whole number. */
  type: "boolean" | "text" | "number" | "whole";
  short?: string;
  env?: string;
  default?: string | number;
  /** The default in words, where it depends on the environment. */
  defaultText?: string;
  min?: number;
  max?: number;
  /** The line of `--help`, without its final "(default …)." (scripts/options-table.ts adds more for the docs.) */
  help: string;
}

/** Every option once. The defaults, `--help`, the range errors and the table in docs/CONFIGURATION.md come from it. */
export const options = {
  stdio: { type: "boolean", help: "Serve one client over stdin/stdout instead of HTTP" },
  as: {
    type: "text",
    env: "MCP_CHAT_AS",
    help: "With --stdio: be the named local participant NAME, the same after restarts",
  },
  host: { type: "text", env: "MCP_CHAT_HOST", default: "127.0.0.1", help: "Address to listen on" },
  port: { type: "whole", env: "PORT", default: 8000, min: 0, max: 65535, help: "HTTP port; 0 picks a free one" },
  "max-sessions": {
    type: "whole",
    env: "MCP_CHAT_MAX_SESSIONS",
    default: 20_000,
    min: 1,
    help: "Most HTTP sessions held at once; a new one replaces the one idle the longest",
  },
  db: {
    type: "text",
    env: "MCP_CHAT_DB",
    defaultText: "$XDG_DATA_HOME/mcp-chat/chat.db, else ~/.local/share/mcp-chat/chat.db",
    help: "SQLite file",
  },
  "default-wait": {
    type: "number",
    env: "MCP_CHAT_DEFAULT_WAIT",
    default: 30,
    min: 0,
    help: "Seconds a wait lasts when the caller gives none",
  },
  // At most a day: far beyond any client's patience, and well inside what a timer can count (24.8 days).
  "max-wait": {
    type: "number",
    env: "MCP_CHAT_MAX_WAIT",
    default: 300,
    min: 0,
    max: 86_400,
    help: "Longest wait in seconds; longer requests are clamped",
  },
  // At least a second: with none, no entry would ever be matchable.
  "queue-grace": {
    type: "number",
    env: "MCP_CHAT_QUEUE_GRACE",
    default: 15,
    min: 1,
    help: "Seconds a queue entry stays matchable after enter_queue returned",
  },
  "idle-timeout": {
    type: "number",
    env: "MCP_CHAT_IDLE_TIMEOUT",
    default: 600,
    min: 0,
    help: "Seconds without a call after which a participant counts as gone",
  },
  "max-message": { type: "whole", env: "MCP_CHAT_MAX_MESSAGE", default: 8_000, min: 1, help: "Longest message in characters" },
  "max-name": { type: "whole", env: "MCP_CHAT_MAX_NAME", default: 64, min: 1, help: "Longest display name in characters, after trimming" },
  "max-members": { type: "whole", env: "MCP_CHAT_MAX_MEMBERS", default: 100, min: 1, help: "Most members in a group room" },
  "max-waits": {
    type: "whole",
    env: "MCP_CHAT_MAX_WAITS",
    default: 8,
    min: 1,
    help: "Most waiting calls one participant may have at once",
  },
  help: { type: "boolean", short: "h", help: "Show this help" },
  version: { type: "boolean", short: "v", help: "Show the version" },
} as const satisfies Record<string, Option>;

type OptionName = keyof typeof options;
/** The options whose value is a number, with a default. */
type NumberOption = { [N in OptionName]: (typeof options)[N] extends { default: number } ? N : never }[OptionName];

export const defaultTiming: Timing = {
  defaultWaitSeconds: options["default-wait"].default,
  maxWaitSeconds: options["max-wait"].default,
  queueGraceSeconds: options["queue-grace"].default,
  idleTimeoutSeconds: options["idle-timeout"].default,
};
export const defaultLimits: Limits = {
  maxNameLength: options["max-name"].default,
  maxMessageLength: options["max-message"].default,
  maxGroupMembers: options["max-members"].default,
  maxWaitsPerParticipant: options["max-waits"].default,
};

/**
 * The default database: $XDG_DATA_HOME/mcp-chat/chat.db, else ~/.local/share/mcp-chat/chat.db.
 * node:os is fetched only without $HOME: an import would load it at every start (see src/db/open.ts).
 */
function defaultDbPath(env: Record<string, string | undefined>): string {
  const dataHome = env.XDG_DATA_HOME || `${env.HOME || process.getBuiltinModule("node:os").homedir()}/.local/share`;
  return `${dataHome}/mcp-chat/chat.db`;
}

/** The largest request accepted, in bytes: an HTTP body, or a line over stdio. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export type CliRequest = { kind: "help" } | { kind: "version" } | { kind: "serve"; config: Config };

export class ConfigError extends Error {}

/** How the option is written: `-h, --help`, `--port VALUE`. */
export function flagOf(name: string, option: Option): string {
  return `${option.short ? `-${option.short}, ` : ""}--${name}${option.type === "boolean" ? "" : " VALUE"}`;
}

/** The default as `--help` and the docs say it, or undefined for none. */
export function defaultOf(option: Option): string | undefined {
  return option.default === undefined ? option.defaultText : String(option.default);
}

/** The values a number option accepts: `0 to 65535`, `1 or more`; undefined for the others. */
export function rangeOf(option: Option): string | undefined {
  if (option.min === undefined) return undefined;
  return option.max === undefined ? `${option.min} or more` : `${option.min} to ${option.max}`;
}

export function helpText(): string {
  const lines = Object.entries(options).map(([name, o]: [string, Option]) => {
    const fallback = defaultOf(o);
    // Only an upper bound is worth a place on the line: the lower ones are the obvious 0 or 1.
    const bounds = o.max === undefined ? "" : `, ${rangeOf(o)}`;
    const env = o.env ? ` [env ${o.env}]` : "";
    return `  ${flagOf(name, o).padEnd(22)} ${o.help}${fallback === undefined ? "" : ` (default ${fallback}${bounds})`}.${env}`;
  });
  return ["Usage: mcp-chat [--stdio] [options]", "", "Options:", ...lines].join("\n");
}

export function parseCli(argv: string[], env: Record<string, string | undefined>): CliRequest {
  const values = parseFlags(argv);
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const pick = (name: OptionName): string | undefined => {
    const option: Option = options[name];
    const fromFlag = values[name];
    if (typeof fromFlag === "string") return fromFlag;
    return option.env ? env[option.env] || undefined : undefined;
  };
  const read = (name: NumberOption, fallback: number = options[name].default) => numberOf(name, pick(name), fallback);
  const maxWaitSeconds = read("max-wait");
  const timing: Timing = {
    maxWaitSeconds,
    // A lower --max-wait alone also lowers the default; an explicit default above it is a mistake.
    defaultWaitSeconds: read("default-wait", Math.min(defaultTiming.defaultWaitSeconds, maxWaitSeconds)),
    queueGraceSeconds: read("queue-grace"),
    idleTimeoutSeconds: read("idle-timeout"),
  };
  if (timing.defaultWaitSeconds > timing.maxWaitSeconds) {
    throw new ConfigError("--default-wait cannot be longer than --max-wait");
  }
  // A call that waits the longest allowed time must not count as gone meanwhile.
  if (timing.idleTimeoutSeconds <= timing.maxWaitSeconds) {
    throw new ConfigError("--idle-timeout must be longer than --max-wait");
  }
  const limits: Limits = {
    maxMessageLength: read("max-message"),
    maxNameLength: read("max-name"),
    maxGroupMembers: read("max-members"),
    maxWaitsPerParticipant: read("max-waits"),
  };
  const localName = pick("as")?.trim();
  if (localName !== undefined) {
    if (!values.stdio) throw new ConfigError("--as works with --stdio only: over HTTP each client brings its own identity");
    // Counted in code points, as the tools' limits are (docs/TOOLS.md, Limits).
    const length = [...localName].length;
    const tooLongOrShort = length < 1 || length > limits.maxNameLength;
    const problem = tooLongOrShort ? `must be 1-${limits.maxNameLength} characters` : nameProblem(localName);
    if (problem) throw new ConfigError(`--as ${problem}`);
  }
  return {
    kind: "serve",
    config: {
      mode: values.stdio ? "stdio" : "http",
      localName,
      host: pick("host") ?? options.host.default,
      port: read("port"),
      maxSessions: read("max-sessions"),
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
    const name = long ?? Object.entries(options).find(([, o]: [string, Option]) => o.short !== undefined && `-${o.short}` === arg)?.[0];
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

/** The option's number from its text, or the fallback without one; out of its range is an error. */
function numberOf(name: NumberOption, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const { type, min, max = Infinity }: Option & { min: number } = options[name];
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a number from ${min}${max === Infinity ? " up" : ` to ${max}`}, not "${raw}"`);
  }
  if (type === "whole" && !Number.isInteger(value)) throw new ConfigError(`--${name} must be a whole number, not "${raw}"`);
  return value;
}
