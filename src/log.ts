// Logs go to stderr: in --stdio mode stdout carries the protocol and nothing else. One line each,
// as text or JSON (--log-format), from the level given on (--log-level). No line carries a token,
// a client_id or a message body (test/access.test.ts reads a whole run's).

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["text", "json"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

let settings: { format: LogFormat; level: LogLevel } = { format: "text", level: "info" };

export function configureLogs(format: LogFormat, level: LogLevel): void {
  settings = { format, level };
}

const describe = (part: unknown) =>
  part instanceof Error ? (part.stack ?? part.message) : typeof part === "string" ? part : JSON.stringify(part);

function write(level: LogLevel, parts: unknown[], fields: Record<string, unknown> = {}): void {
  if (LOG_LEVELS.indexOf(level) > LOG_LEVELS.indexOf(settings.level)) return;
  const time = new Date().toISOString();
  if (settings.format === "json") {
    const error = parts.find((part) => part instanceof Error) as Error | undefined;
    const msg = parts
      .filter((part) => part !== error)
      .map(describe)
      .join(" ");
    console.error(JSON.stringify({ time, level, msg, ...fields, ...(error ? { error: error.message } : {}) }));
  } else {
    const extra = Object.entries(fields).map(([key, value]) => `${key}=${value}`);
    console.error(`[mcp-chat ${time}] ${level === "info" ? "" : `${level}: `}${[...parts.map(describe), ...extra].join(" ")}`);
  }
}

/** Something worth knowing: the server started, stopped, read its token file again. */
export const log = (...parts: unknown[]) => write("info", parts);
/** Something failed and the server goes on (the next round tries again, a call got internal_error). */
export const warn = (...parts: unknown[]) => write("warn", parts);
/**
 * One line per /mcp request: method, status, how long until the response started, the address if
 * it counts. At debug level: thousands of requests a second would otherwise pay for a write each.
 */
export const access = (fields: Record<string, string | number | undefined>) => write("debug", ["request"], fields);

/**
 * Runs background work (a timer's write, a sweep) whose failure must not take the process down:
 * a database busy past its time-out or a full disk is logged, and the next round tries again.
 */
export function bestEffort(what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    warn(`${what} failed:`, error);
  }
}
