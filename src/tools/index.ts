import type { Limits, Timing } from "../config.ts";
import { claimHandleTool } from "./claim-handle.ts";
import { enterQueueTool } from "./enter-queue.ts";
import { getMessagesTool } from "./get-messages.ts";
import { joinRoomTool } from "./join-room.ts";
import { leaveChatTool } from "./leave-chat.ts";
import { openDirectTool } from "./open-direct.ts";
import { roomInfoTool } from "./room-info.ts";
import { sendMessageTool } from "./send-message.ts";
import type { ChatTool } from "./tool.ts";
import { waitForMessageTool } from "./wait-for-message.ts";
import { whoamiTool } from "./whoami.ts";

/** Every tool mcp-chat offers, in the order clients list them. */
export function chatTools(limits: Limits, timing: Timing): ChatTool[] {
  return [
    enterQueueTool(limits, timing),
    joinRoomTool(limits),
    sendMessageTool(limits),
    waitForMessageTool(timing),
    getMessagesTool(),
    leaveChatTool(),
    whoamiTool(),
    claimHandleTool(),
    openDirectTool(),
    roomInfoTool(),
  ];
}
