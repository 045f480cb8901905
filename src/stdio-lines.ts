// What a stdio client writes, cut into lines and checked before the server reads them: a line
// that is not one JSON-RPC message, or is over the size limit, gets a JSON-RPC error rather than
// silence (its client would wait for ever).
import { type JSONRPCMessage, parseJSONRPCMessage } from "@modelcontextprotocol/server";
import { MAX_REQUEST_BYTES } from "./config.ts";
import { protocolErrors, type RequestError } from "./errors.ts";

const NEWLINE = 0x0a;

export class RequestLines {
  private parts: Uint8Array[] = [];
  private size = 0;
  private tooLong = false;
  private readonly decoder = new TextDecoder();

  constructor(
    /** A line that is one JSON-RPC message. */
    private readonly pass: (message: JSONRPCMessage) => void,
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
    let valid: JSONRPCMessage;
    try {
      valid = parseJSONRPCMessage(message);
    } catch {
      const id = (message as { id?: unknown } | null)?.id;
      return this.refuse(errorLine(typeof id === "string" || typeof id === "number" ? id : null, protocolErrors.lineNotOneMessage()));
    }
    this.pass(valid);
  }
}

/** A JSON-RPC error as one line of output. */
export function errorLine(id: string | number | null, { code, message }: RequestError): string {
  return `${JSON.stringify({ jsonrpc: "2.0", id, error: { code, message } })}\n`;
}
