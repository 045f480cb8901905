// One way for peek, say and tail to call the chat's tools, whether the chat is a database file here
// (local-tool-caller.ts) or a server over HTTP (remote-tool-caller.ts).
/** A tool's error result (or the server's refusal): its stable code and its sentence. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ToolError";
  }
}

export interface ToolCaller {
  /**
   * Calls the tool as the command's identity, and gives its structured result; throws a ToolError
   * for an error result. `signal` ends a wait early (Ctrl-C).
   */
  call(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface CallerOptions {
  /**
   * A person at the keyboard (say, tail): on the local file the identity is marked as a person's,
   * which the loop guard goes by. Over HTTP nothing proves a person, so nothing is marked.
   */
  person?: boolean;
  /** Only an existing database file (peek): a mistyped path is an error, not a new empty chat. */
  existingFile?: boolean;
}
