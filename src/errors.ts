// Every error a user can see, with a stable code. Tools render a ChatError as
// {"error": message, "code": code}; tests assert the code.

export const errorCodes = {
  invalid_input: "The arguments do not fit the tool's input schema.",
  unknown_client: "The client_id is not known to this server.",
  no_identity: "The call needs a client_id, and this session has none yet.",
  not_in_room: "The caller is not a member of the room (or has left it).",
  partner_left: "The other member of a private room of two has left.",
  room_private: "A private room made by the queue cannot be joined by name.",
  room_full: "The group room has reached its member limit.",
  too_many_waits: "The caller already has the maximum number of waiting calls.",
  internal_error: "Something went wrong on the server.",
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "ChatError";
  }
}
