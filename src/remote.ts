// `--stdio --remote URL`: a client that only starts local stdio servers (Claude Desktop) reaches a
// remote mcp-chat over Streamable HTTP, in either protocol era. Each message read from stdin is
// POSTed on; each answer, plain JSON or the events of an SSE stream, is written to stdout.
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/server";
import { JsonRpcCode } from "./errors.ts";
import { warn } from "./log.ts";

type Message = JSONRPCMessage & {
  id?: string | number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
};

const META_VERSION = "io.modelcontextprotocol/protocolVersion";

/** X-MCP-Chat-Client: a header carries bytes, so the name goes as its UTF-8, one character a byte (the server decodes it). */
export const clientNameHeader = (name: string) => ({ "x-mcp-chat-client": Buffer.from(name, "utf8").toString("latin1") });

export class RemoteBridge {
  /** Requests sent on and not answered yet, by id: a 2026 cancellation closes the request's stream. */
  private readonly open = new Map<string | number, AbortController>();
  private sessionId: string | undefined;
  private protocolVersion: string | undefined;

  constructor(
    private readonly url: URL,
    private readonly token: string | undefined,
    private readonly local: Transport,
    /** `--as NAME`: the named identity on the remote server, sent with every request. */
    private readonly clientName?: string,
  ) {
    local.onmessage = (message) => void this.forward(message as Message);
  }

  get unanswered(): number {
    return this.open.size;
  }

  /** Ends the remote 2025-era session, if there is one. */
  async close(): Promise<void> {
    if (!this.sessionId) return;
    await fetch(this.url, { method: "DELETE", headers: this.headers() }).catch(() => {});
  }

  private headers(message?: Message): Record<string, string> {
    const version = (message?.params?._meta as Record<string, unknown> | undefined)?.[META_VERSION];
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (this.sessionId) headers["mcp-session-id"] = this.sessionId;
    if (this.clientName) Object.assign(headers, clientNameHeader(this.clientName));
    const protocolVersion = typeof version === "string" ? version : this.protocolVersion;
    if (protocolVersion) headers["mcp-protocol-version"] = protocolVersion;
    // A 2026 request names its method (and tool) in headers too.
    if (typeof version === "string" && message?.method) {
      headers["mcp-method"] = message.method;
      if (typeof message.params?.name === "string") headers["mcp-name"] = message.params.name;
    }
    return headers;
  }

  private async forward(message: Message): Promise<void> {
    const cancelled = message.method === "notifications/cancelled" ? (message.params?.requestId as string | number | undefined) : undefined;
    // Without a session (2026) a closed stream is the cancellation; a session is told in words too.
    if (cancelled !== undefined && !this.sessionId) return this.open.get(cancelled)?.abort();
    const id = message.method !== undefined ? message.id : undefined;
    const stop = new AbortController();
    if (id !== undefined) this.open.set(id, stop);
    try {
      const response = await fetch(this.url, {
        method: "POST",
        headers: this.headers(message),
        body: JSON.stringify(message),
        signal: stop.signal,
      });
      this.sessionId = response.headers.get("mcp-session-id") ?? this.sessionId;
      if (response.status === 202) return;
      const type = response.headers.get("content-type") ?? "";
      if (type.startsWith("text/event-stream")) await this.relayEvents(response);
      else this.relay(JSON.parse(await response.text()), id);
    } catch (error) {
      if (stop.signal.aborted || id === undefined) return;
      warn("the remote server could not be reached:", (error as Error).message);
      this.relay(
        {
          jsonrpc: "2.0",
          id,
          error: { code: JsonRpcCode.InternalError, message: `Cannot reach ${this.url.origin}: ${(error as Error).message}` },
        },
        id,
      );
    } finally {
      if (id !== undefined) this.open.delete(id);
    }
  }

  /** Each `data:` line of the stream is one JSON-RPC message. */
  private async relayEvents(response: Response): Promise<void> {
    let buffered = "";
    for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let end = buffered.indexOf("\n\n");
      for (; end !== -1; end = buffered.indexOf("\n\n")) {
        const data = buffered
          .slice(0, end)
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart())
          .join("\n");
        buffered = buffered.slice(end + 2);
        if (data) this.relay(JSON.parse(data), undefined);
      }
    }
  }

  /** Writes an answer to stdout; an error the server could not tie to a request gets the request's id. */
  private relay(message: Message | Message[], requestId: string | number | undefined): void {
    for (const one of Array.isArray(message) ? message : [message]) {
      const version = one.result?.protocolVersion;
      if (typeof version === "string") this.protocolVersion = version;
      void this.local.send(
        ("error" in one && one.id === null && requestId !== undefined ? { ...one, id: requestId } : one) as JSONRPCMessage,
      );
    }
  }
}
