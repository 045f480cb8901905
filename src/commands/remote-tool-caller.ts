// The tools called on a server over HTTP in the 2026-07-28 era: one POST per tools/call, no
// session, the identity in X-MCP-Chat-Client (a name) or in client_id (a client_id).
import { version } from "../build-info.ts";
import { clientNameHeader } from "../remote.ts";
import type { Who } from "./command-line.ts";
import { type ToolCaller, ToolError } from "./tool-caller.ts";

const PROTOCOL_VERSION = "2026-07-28";
const META = {
  "io.modelcontextprotocol/protocolVersion": PROTOCOL_VERSION,
  "io.modelcontextprotocol/clientInfo": { name: "mcp-chat", version },
  "io.modelcontextprotocol/clientCapabilities": {},
};

interface JsonRpcAnswer {
  id?: unknown;
  result?: { structuredContent?: Record<string, unknown>; isError?: boolean };
  error?: { message: string };
}

export class RemoteToolCaller implements ToolCaller {
  private nextId = 1;

  constructor(
    private readonly url: URL,
    private readonly token: string | undefined,
    private readonly who: Who,
  ) {}

  async call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const params = { name: tool, arguments: "clientId" in this.who ? { ...args, client_id: this.who.clientId } : args, _meta: META };
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: this.headers(tool),
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params }),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new Error(`cannot reach ${this.url.origin}: ${(error as Error).message}`);
    }
    const answer = answerIn(await response.text(), id);
    if (!answer)
      throw new Error(`${this.url.origin} answered HTTP ${response.status} with no MCP answer: is ${this.url.href} an mcp-chat server?`);
    if (answer.error) throw new Error(answer.error.message);
    const result = answer.result?.structuredContent ?? {};
    if (answer.result?.isError) throw new ToolError(String(result.code), String(result.error));
    return result;
  }

  async close(): Promise<void> {}

  private headers(tool: string): Record<string, string> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": PROTOCOL_VERSION,
      "mcp-method": "tools/call",
      "mcp-name": tool,
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return "name" in this.who ? { ...headers, ...clientNameHeader(this.who.name) } : headers;
  }
}

/** The JSON-RPC answer to request `id` in a body: plain JSON, or the `data:` lines of an SSE stream. */
function answerIn(body: string, id: number): JsonRpcAnswer | undefined {
  const candidates = body.trimStart().startsWith("{")
    ? [body]
    : body
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5));
  for (const text of candidates) {
    let message: JsonRpcAnswer;
    try {
      message = JSON.parse(text);
    } catch {
      continue;
    }
    // An error the server could not tie to a request (a 401) has id null.
    if (message.id === id || (message.id === null && message.error)) return message;
  }
  return undefined;
}
