// Logs go to stderr: in --stdio mode stdout carries the protocol and nothing else.
export function log(...parts: unknown[]): void {
  console.error(`[mcp-chat ${new Date().toISOString()}]`, ...parts);
}
