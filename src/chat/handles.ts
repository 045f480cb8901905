// @handles: a participant's unique short name, and the @mentions of them in a message.

/** 2-32 characters, a letter first, then letters, digits, _ and -; compared in lower case. */
const HANDLE = "[a-z][a-z0-9_-]{1,31}";
export const HANDLE_PATTERN = new RegExp(`^${HANDLE}$`);
/** A handle as someone writes it: with or without its @, in any case. */
export const WRITTEN_HANDLE = new RegExp(`^@?${HANDLE}$`, "i");

/** How a handle is stored and compared: lower case, without a leading @. */
export const normalHandle = (handle: string) => handle.replace(/^@/, "").toLowerCase();

/** An @ not inside a word or an e-mail address, then a handle's characters. */
const MENTION = /(?<![\w@.])@([A-Za-z][A-Za-z0-9_-]{1,31})/g;

/** The handles a message @mentions, each once, in lower case. */
export function mentionedHandles(body: string): string[] {
  return [...new Set(Array.from(body.matchAll(MENTION), (match) => match[1]!.toLowerCase()))];
}
