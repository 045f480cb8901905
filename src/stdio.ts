// One MCP client over stdin/stdout: the way desktop clients start a local server.
import type { Readable, Writable } from "node:stream";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { RequestLines } from "./stdio-lines.ts";

export interface StdioService {
  /** Resolves when stdin ends: the client is gone. */
  closed: Promise<void>;
  /** Resolves once what was sent so far has been written to stdout. */
  flush(): Promise<void>;
}

/**
 * Serves until stdin ends (the SDK's transport alone would keep a server running after its client died).
 * The SDK's transport runs on Bun's own stdin and stdout rather than process.stdin and
 * process.stdout: their first use loads Bun's JavaScript for node streams, a cost at every start
 * (the compiled binary carries no bytecode for it; PERFORMANCE.md, "Cold start and binary size").
 */
export async function serveStdio(server: Server): Promise<StdioService> {
  const stdout = Bun.stdout.writer();
  // Written, or buffered in order: the transport need not wait for "drain". A write to a client
  // that closed its end fails unheard: that client is gone, and the end of stdin stops the server.
  const write = (text: string) => {
    try {
      stdout.write(text);
      void Promise.resolve(stdout.flush()).catch(() => {});
    } catch {}
    return true;
  };
  const stdin = new StdinReader(write);
  const transport = new StdioServerTransport(stdin as unknown as Readable, { write } as unknown as Writable);
  const closed = new Promise<void>((resolve) => {
    stdin.onEnd = resolve;
    transport.onclose = resolve;
  });
  await server.connect(transport);
  return { closed, flush: async () => void (await stdout.flush()) };
}

type Listener = (value: Buffer | Error) => void;

/**
 * The little of a node Readable that StdioServerTransport uses: data and error events, and pause.
 * It hands on whole lines that are JSON-RPC messages, and answers any other line itself.
 */
class StdinReader {
  /** Called once stdin has ended or failed. */
  onEnd = () => {};
  private readonly listeners = { data: new Set<Listener>(), error: new Set<Listener>() };
  private readonly reader = Bun.stdin.stream().getReader();
  private readonly lines: RequestLines;
  private reading = false;

  constructor(reply: (line: string) => void) {
    this.lines = new RequestLines((line) => {
      const chunk = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
      for (const listener of this.listeners.data) listener(chunk);
    }, reply);
  }

  on(event: "data" | "error", listener: Listener): this {
    this.listeners[event].add(listener);
    // Like a node stream, it starts reading once someone listens for data.
    if (event === "data" && !this.reading) {
      this.reading = true;
      void this.read();
    }
    return this;
  }

  off(event: "data" | "error", listener: Listener): this {
    this.listeners[event].delete(listener);
    return this;
  }

  listenerCount(event: "data" | "error"): number {
    return this.listeners[event].size;
  }

  /** Called when the transport closes: nothing more is read. */
  pause(): void {
    void this.reader.cancel();
  }

  private async read(): Promise<void> {
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        this.lines.push(value);
      }
    } catch (error) {
      for (const listener of this.listeners.error) listener(error as Error);
    }
    this.onEnd();
  }
}
