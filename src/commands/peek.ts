// `mcp-chat peek`: the rooms with unread messages, one line each, from whoami (which moves no read
// cursor). Empty when there is no news. With --hook, what a client's hook prints to wake its agent.
import type { HookKind } from "./command-line.ts";
import type { ToolCaller } from "./tool-caller.ts";

interface RoomNews {
  room_id: string;
  unread: number;
  unread_from: string[];
}

/** What peek prints: nothing without news; else a line per room, or the hook's JSON. */
export async function peek(caller: ToolCaller, hook?: HookKind): Promise<string> {
  const { rooms } = (await caller.call("whoami", {})) as { rooms: RoomNews[] };
  const lines = rooms.filter((room) => room.unread > 0).map(newsLine);
  if (lines.length === 0) return "";
  return hook === undefined ? `${lines.join("\n")}\n` : `${JSON.stringify(hookOutput(hook, lines))}\n`;
}

/** `3 unread in lobby from Ann, Bob` */
const newsLine = ({ room_id, unread, unread_from }: RoomNews) =>
  `${unread} unread in ${room_id}${unread_from.length > 0 ? ` from ${unread_from.join(", ")}` : ""}`;

/**
 * The JSON that makes each client's agent go on instead of stopping, with the reason as its next
 * instruction: Claude Code's Stop (and PostToolUse) hook and Codex's Stop hook take decision
 * "block", Gemini CLI's AfterAgent hook "deny" (docs/WAKE-UPS.md).
 */
function hookOutput(hook: HookKind, lines: string[]) {
  const reason = `mcp-chat: ${lines.join("; ")}. Read them with wait_for_message in each room, and answer if you should.`;
  return { decision: hook === "gemini" ? "deny" : "block", reason };
}
