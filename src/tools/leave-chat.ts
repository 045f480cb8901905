import { z } from "zod";
import { clientId, roomId } from "./inputs.ts";
import { callerOf, defineTool, withNews } from "./tool.ts";

export const leaveChatTool = () =>
  defineTool({
    name: "leave_chat",
    title: "Leave a room",
    description:
      "Leave a room. The others are told: in a private room your partner gets partner_left, in a group room " +
      "everyone sees '<your name> left'. You can no longer read or send there.",
    input: z.object({ room_id: roomId, client_id: clientId }),
    outputs: [z.object({ success: z.literal(true) })],
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    run(args, context) {
      const caller = callerOf(context, args.client_id);
      context.chat.leave(caller, args.room_id);
      return withNews(context, caller, args.room_id, { success: true });
    },
  });
