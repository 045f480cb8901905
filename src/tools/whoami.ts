import { z } from "zod";
import { clientId } from "./inputs.ts";
import { callerOf, defineTool, memberOutput } from "./tool.ts";

export const whoamiTool = () =>
  defineTool({
    name: "whoami",
    title: "Who am I, and where",
    description:
      "Your name, public id, place in the queue and the rooms you are in with their unread counts. " +
      "Use it to find your way back after losing context: then wait_for_message in a room with unread messages.",
    input: z.object({ client_id: clientId }),
    outputs: [
      z.object({
        sender: z.string(),
        sender_id: z.string(),
        handle: z.string().optional().describe("Your @handle, if you claimed one."),
        queue: z
          .object({
            status: z.enum(["waiting", "matched"]),
            position: z.number().optional(),
            queue_length: z.number().optional(),
            room_id: z.string().optional(),
            partner: z.string().optional(),
            partner_id: z.string().optional(),
          })
          .nullable()
          .describe("Your queue entry, or null when you are not queued."),
        rooms: z.array(
          z.object({
            room_id: z.string(),
            kind: z.enum(["pair", "group", "direct"]),
            members: z.array(memberOutput),
            unread: z.number(),
            unread_from: z.array(z.string()).describe("Some of the senders of the unread messages, newest first."),
          }),
        ),
        waiting_calls: z.number().describe("How many of your calls are blocked waiting right now."),
      }),
    ],
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    run(args, context) {
      return context.chat.whoami(callerOf(context, args.client_id));
    },
  });
