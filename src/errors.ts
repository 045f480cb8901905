// Every error a user can see, in one catalogue: each code with its sentence. Tools render a
// ChatError as {"error": message, "code": code}; tests assert the code. The protocol errors below
// answer what never reaches a tool (a body that is not JSON-RPC, a lost session).

export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }
}

/** The errors a tool call can end with, by code. */
export const chatErrors = {
  /** The arguments do not fit the tool's input schema. */
  invalid_input: (tool: string, issues: string) => `Invalid arguments for ${tool}: ${issues}`,
  /** The client_id is not known to this server. */
  unknown_client: () => "This client_id is not known here. Leave client_id out of enter_queue or join_room to start as a new participant.",
  /** The call needs a client_id, and none was given (nor remembered by a 2025-era session). */
  no_identity: () =>
    "Who are you? Pass client_id: the one enter_queue or join_room returned to you (call one of them first if you have none). Pass it on every call.",
  /** The name given by X-MCP-Chat-Client (or --as) breaks the rules of display names. */
  invalid_client_name: (problem: string) => `The client name (X-MCP-Chat-Client) ${problem}. It follows the rules of display_name.`,
  /** The caller is not a member of the room (or has left it). */
  not_in_room: () => "Not in room",
  /** The other member of a private room of two has left (or went idle). */
  partner_left: () => "Partner disconnected",
  /** A private room made by the queue cannot be joined by name. */
  room_private: (roomId: string) =>
    `Room "${roomId}" is a private room of two (made by the queue or by open_direct); it cannot be joined by name.`,
  /** The group room has reached its member limit. */
  room_full: (roomId: string, most: number) => `Room "${roomId}" is full: it has the most members allowed (${most}).`,
  /** The caller already has the maximum number of waiting calls. */
  too_many_waits: (current: number) =>
    `You already have ${current} waiting calls, the most allowed at once. Let one finish or cancel it first.`,
  /** The access token does not permit this room, display name or the queue (a token file line's rooms= and names=). */
  not_permitted: (what: string) => `This access token does not permit ${what}.`,
  /** A rate limit: it recovers by itself, after the seconds the message names. */
  rate_limited: (what: string, perMinute: number, retryAfterSeconds: number) =>
    `Too many ${what}: at most ${perMinute} a minute. Try again in ${retryAfterSeconds} s.`,
  /** The server cannot write its database (disk full, read-only, failing, locked); nothing was stored. */
  storage_unavailable: (why: string) =>
    `The server cannot store anything right now: ${why}. Nothing of this call was saved; try again later.`,
  /** reply_to names a seq the room does not have. */
  unknown_message: (seq: number, roomId: string) => `Room "${roomId}" has no message ${seq} to reply to.`,
  /** The handle is someone else's. */
  handle_taken: (handle: string) => `The handle @${handle} is taken; choose another.`,
  /** No participant has claimed this handle. */
  unknown_handle: (handle: string) => `Nobody here has the handle @${handle}.`,
  /** open_direct named the caller's own handle. */
  direct_to_self: () => "That handle is your own: open_direct opens a room with someone else.",
  /** wait_for_message until "read" in a room where the caller has sent nothing. */
  nothing_sent: (roomId: string) => `You have sent nothing in room "${roomId}" yet, so there is nothing to be read.`,
  /** The loop guard paused the room: too many messages in a row from agents. */
  room_paused: (roomId: string, streak: number) =>
    `Room "${roomId}" is paused: its last ${streak} messages all came from agents, with none from a person. ` +
    `A person resumes it by writing there (mcp-chat say ${roomId} "..."); until then, agents cannot send.`,
  /** Something went wrong on the server. */
  internal_error: () => "Something went wrong on the server; the error was logged.",
} as const;

export type ErrorCode = keyof typeof chatErrors;

/** The ChatError of `code`, its message built from the catalogue. */
export function chatError<Code extends ErrorCode>(code: Code, ...details: Parameters<(typeof chatErrors)[Code]>): ChatError {
  const message = (chatErrors[code] as (...args: unknown[]) => string)(...details);
  return new ChatError(code, message);
}

/** JSON-RPC's error codes, by name: the standard ones and the two server errors MCP transports use. */
export const JsonRpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InvalidParams: -32602,
  InternalError: -32603,
  /** A server error with no standard code: refused, busy, no session yet. */
  ServerError: -32000,
  /** The Mcp-Session-Id is not (or no longer) known. */
  SessionNotFound: -32001,
} as const;

/** A JSON-RPC error that answers a request as a whole, with the HTTP status it goes with. */
export interface RequestError {
  status: number;
  code: (typeof JsonRpcCode)[keyof typeof JsonRpcCode];
  message: string;
}

const requestError = (status: number, code: RequestError["code"], message: string): RequestError => ({ status, code, message });
const { ParseError, InvalidRequest, InvalidParams, InternalError, ServerError, SessionNotFound } = JsonRpcCode;

/** The errors that answer a request before, or instead of, a tool. */
export const protocolErrors = {
  refused: (why: string) => requestError(403, ServerError, why),
  tokenMissing: () =>
    requestError(
      401,
      ServerError,
      "Unauthorized: this server requires an access token; send it as the header Authorization: Bearer <token>",
    ),
  rateLimited: (what: string) =>
    requestError(429, ServerError, `Too many ${what} from this address; try again after the Retry-After seconds`),
  tokenInvalid: () => requestError(401, ServerError, "Unauthorized: the access token is not one this server accepts"),
  clientNameNotUtf8: () => requestError(400, InvalidRequest, "Bad Request: the X-MCP-Chat-Client header must be a name in UTF-8"),
  bodyNotJson: () => requestError(400, ParseError, "Parse error: the body must be JSON-RPC in JSON"),
  lineNotJson: () => requestError(400, ParseError, "Parse error: each line must be one JSON-RPC message in JSON"),
  lineTooLong: (most: number) => requestError(413, InvalidRequest, `Request too large: a line may hold at most ${most} bytes`),
  lineNotOneMessage: () =>
    requestError(400, InvalidRequest, "Invalid Request: each line must be one JSON-RPC 2.0 request, notification or response (no batches)"),
  tooManyStreams: (most: number) =>
    requestError(429, ServerError, `Too many resumed streams: a session may hold ${most} open at once; close one first`),
  busy: () => requestError(503, ServerError, "Server busy: every session is answering a request; try again shortly"),
  noSession: () => requestError(400, ServerError, "Bad Request: no Mcp-Session-Id header; send initialize first"),
  sessionNotFound: () => requestError(404, SessionNotFound, "Session not found: initialize a new session"),
  idInUse: (id: unknown) =>
    requestError(400, InvalidRequest, `Invalid Request: id ${JSON.stringify(id)} belongs to a request still in progress`),
  internal: () => requestError(500, InternalError, "Internal error: the server could not handle this request; it was logged"),
  initializeShape: () =>
    requestError(
      400,
      InvalidParams,
      'initialize needs params {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "...", "version": "..."}}',
    ),
  paramsShape: (method: string, issues: string) => requestError(400, InvalidParams, `Invalid params for ${method}: ${issues}`),
  toolCallShape: () => requestError(400, InvalidParams, 'tools/call needs params {"name": "<tool>", "arguments": {...}}'),
  argumentsNotObject: (tool: string) =>
    requestError(400, InvalidParams, `The arguments of ${tool} must be an object, such as {"room_id": "lobby"}`),
  unknownTool: (tool: string, known: string) => requestError(400, InvalidParams, `Unknown tool "${tool}". The tools are: ${known}.`),
} as const;
