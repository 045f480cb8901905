// Every error a user can see, with a stable code. Tools render a ChatError as
// {"error": message, "code": code}; tests assert the code.

export type ErrorCode =
  /** The arguments do not fit the tool's input schema. */
  | "invalid_input"
  /** The client_id is not known to this server. */
  | "unknown_client"
  /** The call needs a client_id, and this session has none yet. */
  | "no_identity"
  /** The caller is not a member of the room (or has left it). */
  | "not_in_room"
  /** The other member of a private room of two has left (or went idle). */
  | "partner_left"
  /** A private room made by the queue cannot be joined by name. */
  | "room_private"
  /** The group room has reached its member limit. */
  | "room_full"
  /** The caller already has the maximum number of waiting calls. */
  | "too_many_waits"
  /** Something went wrong on the server. */
  | "internal_error";

export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }
}
