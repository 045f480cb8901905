// What a stdio client writes, cut into lines and checked before the SDK's transport reads them:
// the SDK drops a line that is not JSON-RPC without a word (so its client waits for ever), and
// closes the whole transport on a line over 10 MiB. Here each such line gets a JSON-RPC error.
import { JSONRPCMessageSchema } from "@modelcontextprotocol/sdk/types.js";
import { MAX_REQUEST_BYTES } from "./config.ts";
import { type ProtocolError, protocolErrors } from "./errors.ts";

const NEWLINE = 0x0a;

export class RequestLines {
  private parts: Uint8Array[] = [];
  private size = 0;
  private tooLong = false;
  private readonly decoder = new TextDecoder();

  constructor(
    /** A line that is one JSON-RPC message, newline included: for the SDK's transport. */
    private readonly pass: (line: Uint8Array) => void,
    /** The JSON-RPC error, one line, that answers a line that is not one. */
    private readonly refuse: (reply: string) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      this.add(chunk.subarray(start, end + 1));
      this.endLine();
      start = end + 1;
    }
    // A copy: the rest waits for the next chunk, and the reader may reuse this one's memory.
    if (start < chunk.length) this.add(chunk.slice(start));
  }

  private add(part: Uint8Array): void {
    if (this.tooLong) return;
    this.size += part.length;
    // Past the limit the line is only counted, not kept, until its end.
    if (this.size > MAX_REQUEST_BYTES) {
      this.tooLong = true;
      this.parts = [];
    } else this.parts.push(part);
  }

  private endLine(): void {
    const { parts, tooLong } = this;
    this.parts = [];
    this.size = 0;
    this.tooLong = false;
    if (tooLong) return this.refuse(errorLine(null, protocolErrors.lineTooLong(MAX_REQUEST_BYTES)));
    const line = Buffer.concat(parts);
    const text = this.decoder.decode(line);
    if (text.trim() === "") return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.refuse(errorLine(null, protocolErrors.lineNotJson()));
    }
    if (JSONRPCMessageSchema.safeParse(message).success) return this.pass(line);
    const id = (message as { id?: unknown } | null)?.id;
    this.refuse(errorLine(typeof id === "string" || typeof id === "number" ? id : null, protocolErrors.lineNotOneMessage()));
  }
}

function errorLine(id: string | number | null, { code, message }: ProtocolError): string {
  return `${JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } })}\n`;
}
