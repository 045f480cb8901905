// The 2026-07-28 era: every request stands alone, with no session, answered by the SDK's
// per-request handler. The tools learn who calls from client_id alone.
import { createMcpHandler, type McpHttpHandler, type Server } from "@modelcontextprotocol/server";
import { MAX_REQUEST_BYTES } from "../config.ts";
import type { McpServerOptions } from "../mcp-server.ts";
import type { HttpCaller } from "./serve.ts";
import { openingAtOnce } from "./streams.ts";

export class StatelessRequests {
  /** Requests whose answer is not out yet: what a graceful stop waits for. */
  inFlight = 0;
  private readonly handler: McpHttpHandler;

  constructor(newServer: (options: McpServerOptions) => Server, keepAliveMs: number) {
    // Who calls (the access token's subject, the address) comes with each request as its authInfo.
    this.handler = createMcpHandler(
      ({ authInfo }) => newServer((authInfo?.extra ?? {}) as Pick<McpServerOptions, "owner" | "address" | "grant">),
      {
        // 2025-era requests never get here: serve.ts sends them to their sessions.
        legacy: "reject",
        // A stream from the start, so that a quiet long wait is not mistaken for a dead server.
        responseMode: "sse",
        keepAliveMs,
        maxRequestBodySize: MAX_REQUEST_BYTES,
      },
    );
  }

  async answer(request: Request, body: unknown, { owner, address, grant, clientName }: HttpCaller): Promise<Response> {
    this.inFlight++;
    let response: Response;
    // Only the subject: the token itself stays out of the SDK's hands.
    const authInfo = { token: "", clientId: owner ?? "", scopes: [], extra: { owner, address, grant, clientName } };
    try {
      response = await this.handler.fetch(request, { parsedBody: body, authInfo });
    } catch (error) {
      this.inFlight--;
      throw error;
    }
    if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
      this.inFlight--;
      return response;
    }
    return openingAtOnce(response, request, () => this.inFlight--);
  }

  close(): Promise<void> {
    return this.handler.close();
  }
}
