import { z } from "zod";
import { clientId, roomId } from "./inputs.ts";
import { callerOf, defineTool, memberOutput, withNews } from "./tool.ts";

export const roomInfoTool = () =>
  defineTool({
    name: "room_info",
    title: "A room's members and state",
    description:
      "Who is in a room you are in and what each is doing (waiting inside a wait, active, idle, gone), your read " +
      "position, and the loop guard (paused after too many messages in a row from agents). Reads nothing.",
    input: z.object({ room_id: roomId, client_id: clientId }),
    outputs: [
      z.object({
        room_id: z.string(),
        kind: z.enum(["pair", "group", "direct"]),
        members: z.array(memberOutput),
        last_seq: z.number().describe("The seq of the room's newest message."),
        read_seq: z.number().describe("Your read position."),
        unread: z.number(),
        loop_guard: z.object({
          limit: z.number().describe("Messages in a row from agents after which the room pauses; 0: never."),
          agent_messages_in_a_row: z.number(),
          paused: z.boolean().describe("Agents cannot send until a person writes here."),
        }),
      }),
    ],
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    run(args, context) {
      const caller = callerOf(context, args.client_id);
      return withNews(context, caller, args.room_id, context.chat.roomInfo(caller, args.room_id));
    },
  });
