// Logs go to stderr: in --stdio mode stdout carries the protocol and nothing else.
export function log(...parts: unknown[]): void {
  console.error(`[mcp-chat ${new Date().toISOString()}]`, ...parts);
}

/**
 * Runs background work (a timer's write, a sweep) whose failure must not take the process down:
 * a database busy past its time-out or a full disk is logged, and the next round tries again.
 */
export function bestEffort(what: string, work: () => void): void {
  try {
    work();
  } catch (error) {
    log(`${what} failed:`, error);
  }
}
