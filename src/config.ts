// Every option once: its flag, its environment variable, its default and why.
import { nameProblem } from "./chat/names.ts";
import { CLIENTS, type ClientName } from "./client-config.ts";
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from "./log.ts";

export interface Limits {
  /** Longest display name, in characters after trimming. */
  maxNameLength: number;
  /** Longest message, in characters. */
  maxMessageLength: number;
  /** Most members a group room takes. */
  maxGroupMembers: number;
  /** Most calls (wait_for_message, enter_queue) one participant may have waiting at once. */
  maxWaitsPerParticipant: number;
  /** Token buckets, a minute's worth at once: messages, room joins and queue entries per participant. */
  sendsPerMinute: number;
  joinsPerMinute: number;
  queueEntriesPerMinute: number;
  /** New participants one client address may make a minute (loopback addresses are not counted). */
  newParticipantsPerMinute: number;
  /** Messages in a row from agents after which a room pauses until a person writes; 0: never (a room may set its own). */
  loopGuard: number;
}

/** What one client address may open over HTTP; loopback addresses are not counted. */
export interface AddressLimits {
  /** New 2025-era sessions a minute. */
  sessionsPerMinute: number;
  /** Requests answered at once (waits, streams). */
  maxOpen: number;
  /** Whether the address comes from X-Forwarded-For (a proxy on this machine), not the socket. */
  trustProxy: boolean;
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

/** JWTs accepted as Bearer tokens: signed by a key of the JWKS, for this issuer and audience. */
export interface JwtAccess {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** Who may use the HTTP endpoint, and from where. */
export interface Access {
  /** Bearer tokens accepted on /mcp; none (and no file, no JWT) means no access control. */
  tokens: string[];
  /** A file of tokens, one a line, read again on SIGHUP. */
  tokenFile?: string;
  jwt?: JwtAccess;
  /** The address clients use, behind a proxy: its host is an allowed Host, its origin an allowed Origin. */
  publicUrl?: URL;
  /** More origins web pages may call from (--allowed-origins). */
  allowedOrigins: string[];
}

export interface Config {
  mode: "http" | "stdio";
  /** With --stdio: act as this named local identity, kept in the database across restarts. */
  localName?: string;
  /** With --stdio: relay to the mcp-chat at this URL instead of serving from a database. */
  remote?: URL;
  /** With --stdio: send Claude Code a channel notification for each new message in the identity's rooms. */
  channel: boolean;
  logs: { format: LogFormat; level: LogLevel };
  /** Days messages are kept; undefined keeps everything. */
  retentionDays?: number;
  host: string;
  port: number;
  /** HTTP sessions held at once; a new one beyond it replaces the idlest of whoever holds the most. */
  maxSessions: number;
  dbPath: string;
  timing: Timing;
  limits: Limits;
  access: Access;
  perAddress: AddressLimits;
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
  /** May be given more than once (and its variable may list several values, comma-separated). */
  repeatable?: true;
  /** The values a text option takes, if only some. */
  choices?: readonly string[];
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
  remote: {
    type: "text",
    env: "MCP_CHAT_REMOTE",
    help: "With --stdio: relay to the mcp-chat at this URL (with the first --token / MCP_CHAT_TOKEN) instead of serving from a database",
  },
  channel: {
    type: "boolean",
    env: "MCP_CHAT_CHANNEL",
    help: "With --stdio: tell Claude Code of each new message in your rooms as it arrives (a claude/channel notification); off by default",
  },
  host: { type: "text", env: "MCP_CHAT_HOST", default: "127.0.0.1", help: "Address to listen on" },
  port: { type: "whole", env: "PORT", default: 8000, min: 0, max: 65535, help: "HTTP port; 0 picks a free one" },
  "max-sessions": {
    type: "whole",
    env: "MCP_CHAT_MAX_SESSIONS",
    default: 20_000,
    min: 1,
    help: "Most HTTP sessions held at once; a new one replaces the one idle the longest of whoever (token or address) holds the most",
  },
  db: {
    type: "text",
    env: "MCP_CHAT_DB",
    defaultText:
      "Linux: $XDG_DATA_HOME/mcp-chat/chat.db, else ~/.local/share/mcp-chat/chat.db; " +
      "macOS: ~/Library/Application Support/mcp-chat/chat.db; " +
      "Windows: %LOCALAPPDATA%\\mcp-chat\\chat.db",
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
  "loop-guard": {
    type: "whole",
    env: "MCP_CHAT_LOOP_GUARD",
    default: 50,
    min: 0,
    help: "Messages in a row from agents, with none from a person, after which a room pauses until a person writes (0: never)",
  },
  retention: {
    type: "number",
    env: "MCP_CHAT_RETENTION",
    min: 0,
    defaultText: "keep everything",
    help: "Days a message is kept; older ones are deleted hourly, and then rooms with no message and nobody in them",
  },
  "rate-sends": {
    type: "whole",
    env: "MCP_CHAT_RATE_SENDS",
    default: 600,
    min: 1,
    help: "Messages one participant may send a minute (a minute's worth at once)",
  },
  "rate-joins": { type: "whole", env: "MCP_CHAT_RATE_JOINS", default: 120, min: 1, help: "Rooms one participant may join a minute" },
  "rate-queue": {
    type: "whole",
    env: "MCP_CHAT_RATE_QUEUE",
    default: 120,
    min: 1,
    help: "enter_queue calls one participant may make a minute",
  },
  "rate-participants": {
    type: "whole",
    env: "MCP_CHAT_RATE_PARTICIPANTS",
    default: 120,
    min: 1,
    help: "New participants one client address may make a minute (loopback addresses are not counted)",
  },
  "rate-sessions": {
    type: "whole",
    env: "MCP_CHAT_RATE_SESSIONS",
    default: 120,
    min: 1,
    help: "New MCP sessions one client address may open a minute (loopback addresses are not counted)",
  },
  "max-open-per-address": {
    type: "whole",
    env: "MCP_CHAT_MAX_OPEN_PER_ADDRESS",
    default: 1_000,
    min: 1,
    help: "Requests one client address may have open at once, waits included (loopback addresses are not counted)",
  },
  "trust-proxy": {
    type: "boolean",
    env: "MCP_CHAT_TRUST_PROXY",
    help: "Take the client's address from X-Forwarded-For: only behind a proxy that sets it",
  },
  token: {
    type: "text",
    env: "MCP_CHAT_TOKEN",
    repeatable: true,
    help: "A Bearer token every /mcp request must carry; repeat it (or list several, comma-separated) for several clients",
  },
  "token-file": {
    type: "text",
    env: "MCP_CHAT_TOKEN_FILE",
    help: "A file of such tokens, one a line (# comments), read again on SIGHUP",
  },
  "jwks-url": {
    type: "text",
    env: "MCP_CHAT_JWKS_URL",
    help: "Also accept JWTs signed by a key published at this URL (an identity provider's JWKS); needs --issuer",
  },
  issuer: { type: "text", env: "MCP_CHAT_ISSUER", help: "With --jwks-url: the issuer (iss) the JWTs must name" },
  audience: {
    type: "text",
    env: "MCP_CHAT_AUDIENCE",
    defaultText: "--public-url",
    help: "With --jwks-url: the audience (aud) the JWTs must name",
  },
  "public-url": {
    type: "text",
    env: "MCP_CHAT_PUBLIC_URL",
    help: "The URL clients reach the server at, such as https://chat.example.com/mcp: its host and origin are allowed",
  },
  "allowed-origins": {
    type: "text",
    env: "MCP_CHAT_ALLOWED_ORIGINS",
    repeatable: true,
    help: "More origins web pages may call /mcp from, such as https://app.example.com (comma-separated or repeated)",
  },
  "insecure-no-auth": {
    type: "boolean",
    env: "MCP_CHAT_INSECURE_NO_AUTH",
    help: "Listen on a public address without any token: anyone who reaches the port can chat",
  },
  "log-format": {
    type: "text",
    env: "MCP_CHAT_LOG_FORMAT",
    default: "text",
    choices: LOG_FORMATS,
    help: "How stderr lines are written: text, or json (one object a line)",
  },
  "log-level": {
    type: "text",
    env: "MCP_CHAT_LOG_LEVEL",
    default: "info",
    choices: LOG_LEVELS,
    help: "The least a line must weigh to be written: error, warn, info, or debug (adds an access line per request)",
  },
  "print-config": {
    type: "text",
    help: `Print the configuration of a client (${CLIENTS.join(", ")}) to start this binary, with any --as, --db and --channel`,
  },
  url: { type: "text", help: "With --print-config: the server's URL, instead of starting this binary (and --token, its token)" },
  help: { type: "boolean", short: "h", help: "Show this help" },
  version: { type: "boolean", short: "v", help: "Show the version and the commit the binary was built from" },
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
  sendsPerMinute: options["rate-sends"].default,
  joinsPerMinute: options["rate-joins"].default,
  queueEntriesPerMinute: options["rate-queue"].default,
  newParticipantsPerMinute: options["rate-participants"].default,
  loopGuard: options["loop-guard"].default,
};

/**
 * The default database, where each system keeps an application's data: on Windows
 * %LOCALAPPDATA%\mcp-chat\chat.db; on macOS ~/Library/Application Support/mcp-chat/chat.db (as
 * Apple asks, and as Go's os.UserConfigDir does, whatever $XDG_DATA_HOME says); elsewhere
 * $XDG_DATA_HOME/mcp-chat/chat.db, else ~/.local/share/mcp-chat/chat.db. The `db` option's defaultText
 * says the same.
 * node:os is fetched only without a home folder in the environment: an import would load it at every
 * start (see src/db/open.ts).
 */
export function defaultDbPath(platform: string, env: Record<string, string | undefined>): string {
  const home = () => process.getBuiltinModule("node:os").homedir();
  if (platform === "win32") {
    const localAppData = env.LOCALAPPDATA || `${env.USERPROFILE || home()}\\AppData\\Local`;
    return `${localAppData}\\mcp-chat\\chat.db`;
  }
  if (platform === "darwin") {
    return `${env.HOME || home()}/Library/Application Support/mcp-chat/chat.db`;
  }
  const dataHome = env.XDG_DATA_HOME || `${env.HOME || home()}/.local/share`;
  return `${dataHome}/mcp-chat/chat.db`;
}

/** The largest request accepted, in bytes: an HTTP body, or a line over stdio. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** `--print-config`: for `client`, either a server's URL or the arguments that start this binary over stdio. */
export type PrintConfigRequest = { kind: "print-config"; client: ClientName } & ({ url: string; token?: string } | { stdioArgs: string[] });

export type CliRequest =
  | { kind: "help" }
  | { kind: "version" }
  | PrintConfigRequest
  | { kind: "serve"; config: Config }
  /** `mcp-chat backup PATH`: a consistent copy of the database (--db) while it is in use. */
  | { kind: "backup"; dbPath: string; to: string }
  /** `mcp-chat loop-guard ROOM N|default`: a room's own loop guard (null: the server's --loop-guard). */
  | { kind: "loop-guard"; dbPath: string; roomId: string; limit: number | null };

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
  return [
    "Usage: mcp-chat [--stdio] [options]",
    "       mcp-chat backup PATH [--db FILE]   write a consistent copy of the database, also while it is in use",
    "       mcp-chat loop-guard ROOM N|default [--db FILE]   a room's own loop guard: N messages in a row from agents (0: off)",
    // src/commands/command-line.ts reads these three (docs/WAKE-UPS.md).
    "       mcp-chat peek [--as NAME] [--hook claude|codex|gemini] [--db FILE | --remote URL [--token T]]",
    "                                          one line per room with unread messages; moves no read cursor",
    '       mcp-chat say ROOM "TEXT" --as NAME [--db FILE | --remote URL [--token T]]   send a message, print its seq',
    "       mcp-chat tail ROOM --as NAME [--db FILE | --remote URL [--token T]]   print the room's new messages until Ctrl-C",
    "",
    "Options:",
    ...lines,
  ].join("\n");
}

/** The command line, read with the environment; `platform` (process.platform) picks the default database. */
export function parseCli(argv: string[], env: Record<string, string | undefined>, platform: string = process.platform): CliRequest {
  if (argv[0] === "backup") {
    const [to, ...rest] = argv.slice(1);
    if (to === undefined || to.startsWith("-"))
      throw new ConfigError("backup needs the path of the copy to write: mcp-chat backup PATH [--db FILE]");
    const values = parseFlags(rest);
    const dbPath = (typeof values.db === "string" ? values.db : env[options.db.env] || undefined) ?? defaultDbPath(platform, env);
    return { kind: "backup", dbPath, to };
  }
  if (argv[0] === "loop-guard") {
    const [roomId, value, ...rest] = argv.slice(1);
    const usage = "mcp-chat loop-guard ROOM N|default [--db FILE]";
    if (roomId === undefined || value === undefined || roomId.startsWith("-"))
      throw new ConfigError(`loop-guard needs a room and a number: ${usage}`);
    const limit = value === "default" ? null : Number(value);
    if (limit !== null && !(Number.isInteger(limit) && limit >= 0))
      throw new ConfigError(`loop-guard takes a whole number of messages (0 turns it off) or "default", not "${value}": ${usage}`);
    const values = parseFlags(rest);
    const dbPath = (typeof values.db === "string" ? values.db : env[options.db.env] || undefined) ?? defaultDbPath(platform, env);
    return { kind: "loop-guard", dbPath, roomId, limit };
  }
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
  /** A boolean option: the flag, or its variable set to 1, true or yes. */
  const switchedOn = (name: "insecure-no-auth" | "trust-proxy" | "channel") =>
    values[name] === true || /^(1|true|yes)$/i.test(env[options[name].env] ?? "");
  if (values["print-config"] !== undefined) return printConfig(String(values["print-config"]), values, pick, read("max-name"));
  if (values.url !== undefined) throw new ConfigError("--url works with --print-config only");
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
    sendsPerMinute: read("rate-sends"),
    joinsPerMinute: read("rate-joins"),
    queueEntriesPerMinute: read("rate-queue"),
    newParticipantsPerMinute: read("rate-participants"),
    loopGuard: read("loop-guard"),
  };
  const localName = pick("as")?.trim();
  if (localName !== undefined) {
    if (!values.stdio) throw new ConfigError("--as works with --stdio only: over HTTP each client brings its own identity");
    checkLocalName(localName, limits.maxNameLength);
  }
  const remoteUrl = pick("remote");
  if (remoteUrl !== undefined && !values.stdio)
    throw new ConfigError("--remote works with --stdio only: it relays a stdio client to a remote server");
  if (remoteUrl !== undefined && !URL.canParse(remoteUrl))
    throw new ConfigError(`--remote must be a URL such as https://chat.example.com/mcp, not "${remoteUrl}"`);
  const channel = switchedOn("channel");
  if (channel && !values.stdio) throw new ConfigError("--channel works with --stdio only: it notifies the one client of a stdio process");
  if (channel && remoteUrl !== undefined)
    throw new ConfigError("--channel does not work with --remote: the relay has no database to watch");
  const access = accessOf(pick);
  const host = pick("host") ?? options.host.default;
  const anyAccess = access.tokens.length > 0 || access.tokenFile !== undefined || access.jwt !== undefined;
  if (!values.stdio && !isLoopbackHost(host) && !anyAccess && !switchedOn("insecure-no-auth")) {
    throw new ConfigError(
      `refusing to listen on ${host} without access control: anyone who reaches the port could read and write every room. ` +
        "Give --token, --token-file or --jwks-url (see docs/DEPLOY.md), or --insecure-no-auth if that is really what you want",
    );
  }
  return {
    kind: "serve",
    config: {
      mode: values.stdio ? "stdio" : "http",
      localName,
      remote: remoteUrl === undefined ? undefined : new URL(remoteUrl),
      channel,
      retentionDays: pick("retention") === undefined ? undefined : numberOf("retention", pick("retention"), 0),
      logs: {
        format: choiceOf("log-format", pick("log-format")) as LogFormat,
        level: choiceOf("log-level", pick("log-level")) as LogLevel,
      },
      host,
      port: read("port"),
      maxSessions: read("max-sessions"),
      dbPath: pick("db") ?? defaultDbPath(platform, env),
      timing,
      limits,
      access,
      perAddress: {
        sessionsPerMinute: read("rate-sessions"),
        maxOpen: read("max-open-per-address"),
        trustProxy: switchedOn("trust-proxy"),
      },
    },
  };
}

/** A text option with choices: the value given, if it is one of them, else its default. */
function choiceOf(name: "log-format" | "log-level", raw: string | undefined): string {
  const option = options[name];
  if (raw === undefined) return option.default;
  if (!option.choices.includes(raw as never)) throw new ConfigError(`--${name} must be one of ${option.choices.join(", ")}, not "${raw}"`);
  return raw;
}

/** --as follows the rules of display_name. */
function checkLocalName(name: string, maxNameLength: number): void {
  // Counted in code points, as the tools' limits are (docs/TOOLS.md, Limits).
  const length = [...name].length;
  const tooLongOrShort = length < 1 || length > maxNameLength;
  const problem = tooLongOrShort ? `must be 1-${maxNameLength} characters` : nameProblem(name);
  if (problem) throw new ConfigError(`--as ${problem}`);
}

/**
 * `--print-config CLIENT [--url URL [--token TOKEN] | --as NAME --db FILE]`. MCP_CHAT_AS and
 * MCP_CHAT_DB count only without --url; a token only as a flag (the environment's are the server's).
 */
function printConfig(
  client: string,
  flags: Flags,
  pick: (name: OptionName) => string | undefined,
  maxNameLength: number,
): PrintConfigRequest {
  if (!(CLIENTS as readonly string[]).includes(client)) {
    throw new ConfigError(`--print-config takes one of ${CLIENTS.join(", ")}, not "${client}"`);
  }
  const known = client as ClientName;
  const url = pick("url");
  const localName = pick("as")?.trim();
  const db = pick("db");
  if (url !== undefined) {
    if (!/^https?:\/\/./i.test(url) || !URL.canParse(url)) throw new ConfigError(`--url must be an http(s):// URL, not "${url}"`);
    if (flags.as !== undefined || flags.db !== undefined || flags.channel)
      throw new ConfigError("--as, --db and --channel go without --url");
    const token = typeof flags.token === "string" ? flags.token : undefined;
    if (token !== undefined && /[\s,]/.test(token)) throw new ConfigError("--print-config takes one --token, with no spaces");
    return { kind: "print-config", client: known, url, ...(token === undefined ? {} : { token }) };
  }
  if (flags.token !== undefined) throw new ConfigError("--token goes with --url: over stdio there is no token");
  const stdioArgs = ["--stdio"];
  if (localName !== undefined) {
    checkLocalName(localName, maxNameLength);
    stdioArgs.push("--as", localName);
  }
  if (flags.channel) stdioArgs.push("--channel");
  // A client started from a desktop may not share the shell's working folder: the file's full path.
  if (db !== undefined) stdioArgs.push("--db", process.getBuiltinModule("node:path").resolve(db));
  return { kind: "print-config", client: known, stdioArgs };
}

/** Whether an address to listen on is this machine's alone. */
export const isLoopbackHost = (host: string) => host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);

function accessOf(pick: (name: OptionName) => string | undefined): Access {
  const publicUrl = pick("public-url");
  const given = (pick("token") ?? "")
    .split(/[\n,]/)
    .map((token) => token.trim())
    .filter(Boolean);
  if (given.some((token) => /\s/.test(token) || token.length < 16)) {
    throw new ConfigError("--token must be at least 16 characters with no spaces (e.g. openssl rand -base64 32)");
  }
  let url: URL | undefined;
  if (publicUrl !== undefined) {
    try {
      url = new URL(publicUrl);
    } catch {
      throw new ConfigError(`--public-url must be a URL such as https://chat.example.com/mcp, not "${publicUrl}"`);
    }
  }
  const jwksUrl = pick("jwks-url");
  const issuer = pick("issuer");
  const audience = pick("audience") ?? url?.href;
  if (jwksUrl === undefined) {
    if (issuer !== undefined || pick("audience") !== undefined) throw new ConfigError("--issuer and --audience go with --jwks-url");
    return { tokens: given, tokenFile: pick("token-file"), publicUrl: url, allowedOrigins: originsOf(pick("allowed-origins")) };
  }
  if (!URL.canParse(jwksUrl)) throw new ConfigError(`--jwks-url must be a URL, not "${jwksUrl}"`);
  if (issuer === undefined || audience === undefined) {
    throw new ConfigError("--jwks-url needs --issuer, and --audience (or --public-url, which is the audience then)");
  }
  return {
    tokens: given,
    tokenFile: pick("token-file"),
    publicUrl: url,
    allowedOrigins: originsOf(pick("allowed-origins")),
    jwt: { jwksUrl, issuer, audience },
  };
}

/** Each origin as browsers send it (scheme://host[:port]), checked. */
function originsOf(list: string | undefined): string[] {
  return (list ?? "")
    .split(/[\n,]/)
    .map((origin) => origin.trim())
    .filter(Boolean)
    .map((origin) => {
      if (!URL.canParse(origin) || new URL(origin).origin === "null")
        throw new ConfigError(`--allowed-origins takes origins such as https://app.example.com, not "${origin}"`);
      return new URL(origin).origin;
    });
}

/**
 * The flags given: `--name value`, `--name=value`, `--flag`, `-h`. Not node:util's parseArgs,
 * which would put 0.3 MB of Bun's JavaScript for node:util into the binary.
 */
type Flags = Partial<Record<OptionName, string | boolean>>;

function parseFlags(argv: string[]): Flags {
  const values: Flags = {};
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
      const earlier = values[name];
      const option: Option = options[name];
      values[name] = option.repeatable && typeof earlier === "string" ? `${earlier}\n${value}` : value;
    }
  }
  return values;
}

/** The option's number from its text, or the fallback without one; out of its range is an error. */
function numberOf(name: NumberOption | "retention", raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const { type, min, max = Infinity }: Option & { min: number } = options[name];
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`--${name} must be a number from ${min}${max === Infinity ? " up" : ` to ${max}`}, not "${raw}"`);
  }
  if (type === "whole" && !Number.isInteger(value)) throw new ConfigError(`--${name} must be a whole number, not "${raw}"`);
  return value;
}
