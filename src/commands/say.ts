// `mcp-chat say ROOM "TEXT" --as NAME`: into the room (joined if need be), the text sent; its seq printed.
import type { ToolCaller } from "./tool-caller.ts";

export async function say(caller: ToolCaller, name: string, room: string, text: string): Promise<string> {
  await caller.call("join_room", { room_id: room, display_name: name });
  const { seq } = await caller.call("send_message", { room_id: room, message: text });
  return `${seq}\n`;
}
