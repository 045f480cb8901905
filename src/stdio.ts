// One MCP client over stdin/stdout: the way desktop clients start a local server. The SDK's
// serveStdio serves both protocol eras (a 2025 `initialize` or 2026 requests that carry their
// version); the transport under it is ours, on Bun's own stdin and stdout.
import { isInitializeRequest, type JSONRPCMessage, type Server, serializeMessage, type Transport } from "@modelcontextprotocol/server";
import { serveStdio as serveBothEras } from "@modelcontextprotocol/server/stdio";
import { protocolErrors } from "./errors.ts";
import { errorLine, RequestLines } from "./stdio-lines.ts";

export interface StdioService {
  /** Resolves when stdin ends: the client is gone. */
  closed: Promise<void>;
  /** Requests read and not answered yet. */
  readonly unanswered: number;
  /** Resolves once what was sent so far has been written to stdout. */
  flush(): Promise<void>;
}

/**
 * Serves until stdin ends; the requests read by then are still answered (a client may pipe its
 * calls in and close stdin). `newServer` makes the instance the connection is served by.
 */
export function serveStdio(newServer: () => Server): StdioService {
  const transport = new BunStdioTransport();
  serveBothEras(newServer, { transport, legacy: "serve" });
  return transport;
}

/**
 * Newline-delimited JSON-RPC on Bun.stdin and Bun.stdout rather than process.stdin and
 * process.stdout: their first use loads Bun's JavaScript for node streams, a cost at every start
 * (the compiled binary carries no bytecode for it; PERFORMANCE.md, "Cold start and binary size").
 * Unlike the SDK's stdio transport, it ends when stdin ends, and answers a line that is not
 * JSON-RPC (RequestLines).
 */
export class BunStdioTransport implements Transport, StdioService {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly closed: Promise<void>;
  /** The ids of the requests read and not answered yet. */
  private readonly open = new Set<string | number>();
  private ended!: () => void;
  private readonly stdout = Bun.stdout.writer();
  private readonly reader = Bun.stdin.stream().getReader();

  constructor() {
    this.closed = new Promise((resolve) => {
      this.ended = resolve;
    });
  }

  async start(): Promise<void> {
    const lines = new RequestLines(
      (message) => {
        if ("method" in message && "id" in message) {
          // A second request with the id of one in flight would have its answer taken for the
          // first's (HTTP refuses it the same way; issue 19, #18).
          if (this.open.has(message.id)) return this.write(errorLine(message.id, protocolErrors.idInUse(message.id)));
          // The SDK would answer a malformed initialize with a dump of zod issues: say what it lacks.
          if (message.method === "initialize" && !isInitializeRequest(message)) {
            return this.write(errorLine(message.id, protocolErrors.initializeShape()));
          }
          this.open.add(message.id);
        }
        this.onmessage?.(message);
      },
      (reply) => this.write(reply),
    );
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await this.reader.read();
          if (done) break;
          lines.push(value);
        }
      } catch (error) {
        this.onerror?.(error as Error);
      }
      this.ended();
    })();
  }

  get unanswered(): number {
    return this.open.size;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!("method" in message) && "id" in message && message.id !== undefined && message.id !== null) this.open.delete(message.id);
    this.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    void this.reader.cancel().catch(() => {});
    this.onclose?.();
    this.onclose = undefined;
    this.ended();
  }

  async flush(): Promise<void> {
    await this.stdout.flush();
  }

  /**
   * Written, or buffered in order: nothing waits for "drain". A write to a client that closed its
   * end fails unheard: that client is gone, and the end of stdin stops the server.
   */
  private write(text: string): void {
    try {
      this.stdout.write(text);
      void Promise.resolve(this.stdout.flush()).catch(() => {});
    } catch {}
  }
}
