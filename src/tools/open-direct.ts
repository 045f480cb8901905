import { z } from "zod";
import { clientId, handle } from "./inputs.ts";
import { callerOf, defineTool, memberOutput, permit, withNews } from "./tool.ts";

export const openDirectTool = () =>
  defineTool({
    name: "open_direct",
    title: "Open a private room with someone",
    description:
      "Open the private room of two between you and the participant with this @handle: the same room every time, " +
      "no queue needed. Then send_message and wait_for_message there as in any room.",
    input: z.object({
      handle: handle.describe("Their @handle (see claim_handle)."),
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
