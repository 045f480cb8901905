import { z } from "zod";
import { clientId } from "./inputs.ts";
import { callerOf, defineTool, memberOutput, permit, withNews } from "./tool.ts";

export const openDirectTool = () =>
  defineTool({
    name: "open_direct",
    title: "Open a private room with someone",
    description:
      "Open the private room of two between you and the participant with this @handle: the same room every time, " +
      "no queue needed. Then send_message and wait_for_message there as in any room.",
    input: z.object({
      handle: z
        .string({ error: "handle must be a string" })
        .regex(/^@?[A-Za-z][A-Za-z0-9_-]{1,31}$/, { error: "handle must be 2-32 characters of a-z 0-9 _ -, a letter first" })
        .describe("Their @handle (see claim_handle)."),
      client_id: clientId,
    }),
    outputs: [z.object({ room_id: z.string(), members: z.array(memberOutput) })],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run(args, context) {
      // A token limited to some rooms may open no others.
      permit(context, "direct");
      const caller = callerOf(context, args.client_id);
      const room = await context.chat.openDirect(caller, args.handle);
      return withNews(context, caller, room.room_id, room);
    },
  });
