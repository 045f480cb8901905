// `mcp-chat loop-guard ROOM N|default [--db FILE]`: a room's own loop guard, set by whoever may
// write the database file (the operator): never a tool, so no agent can lift the guard on itself.
import { Chat } from "../chat/chat.ts";
import { LocalDoorbell } from "../chat/doorbell.ts";
import { defaultLimits, defaultTiming } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { ChatStore } from "../db/store.ts";
import { ChatError } from "../errors.ts";

export function setLoopGuard(dbPath: string, roomId: string, limit: number | null): void {
  const store = new ChatStore(openDatabase(dbPath));
  try {
    new Chat({ store, doorbell: new LocalDoorbell(), timing: defaultTiming, limits: defaultLimits }).setRoomLoopGuard(roomId, limit);
    const what = limit === null ? "the server's --loop-guard" : limit === 0 ? "off" : `${limit} messages in a row from agents`;
    console.log(`room ${roomId}: loop guard ${what}`);
  } catch (error) {
    const why = error instanceof ChatError ? `there is no room "${roomId}"` : (error as Error).message;
    console.error(`mcp-chat loop-guard: ${why}`);
    process.exitCode = 1;
  } finally {
    store.close();
  }
}
