// `mcp-chat tail ROOM --as NAME`: into the room (joined if need be), then every new message from
// others as a line, `HH:MM:SS Name: text`, until `stop` fires (SIGINT, SIGTERM).
import type { ToolCaller } from "./tool-caller.ts";

interface Waited {
  timeout?: true;
  sender?: string;
  message: string;
  timestamp?: string;
}

export async function tail(
  caller: ToolCaller,
  name: string,
  room: string,
  print: (line: string) => void,
  stop: AbortSignal,
): Promise<void> {
  await caller.call("join_room", { room_id: room, display_name: name });
  while (!stop.aborted) {
    let waited: Waited;
    try {
      waited = (await caller.call("wait_for_message", { room_id: room }, stop)) as unknown as Waited;
    } catch (error) {
      if (stop.aborted) return;
      throw error;
    }
    // A message claimed as Ctrl-C came in is still shown: its read cursor has moved past it.
    if (!waited.timeout) print(`${clockTime(waited.timestamp!)} ${waited.sender}: ${waited.message}\n`);
  }
}

/** The local time of day a message was stored, HH:MM:SS. */
const clockTime = (iso: string) => new Date(iso).toTimeString().slice(0, 8);
