import { z } from "zod";
import type { Limits } from "../config.ts";
import { clientId, roomId, seq, wellFormed } from "./inputs.ts";
import { callerOf, defineTool, nameOutput, withNews } from "./tool.ts";

export const sendMessageTool = (limits: Limits) =>
  defineTool({
    name: "send_message",
    title: "Send a message",
    description:
      "Post a message to a room you are in. It is stored before this returns and wakes everyone waiting there. " +
      "Then call wait_for_message to receive the reply. Pass a client_msg_id to make retries safe: " +
      "the same id sends the message only once. Write @handle to mention a member who claimed one; reply_to answers a message.",
    input: z.object({
      room_id: roomId,
      message: z
        .string({ error: "message must be a string" })
        .min(1, { error: "message cannot be empty" })
        .max(limits.maxMessageLength, { error: `message can be at most ${limits.maxMessageLength} characters` })
        .refine(...wellFormed("message"))
        .describe(`The text, 1-${limits.maxMessageLength} characters.`),
      client_id: clientId,
      reply_to: seq("reply_to").describe("The seq of the message this one answers."),
      client_msg_id: z
        .string()
        .min(1)
        .max(200)
        .refine(...wellFormed("client_msg_id"))
        .optional()
        .describe("Your own id for this message; a retry with the same id does not send it twice."),
    }),
    outputs: [
      z.object({
        success: z.literal(true),
        seq: z.number().describe("The message's position in the room: 1, 2, 3..."),
        sent_at: z.string().describe("ISO 8601 time it was stored."),
        waiting: z
          .array(nameOutput)
          .describe(
            "The others inside a wait on this room right now: woken by this message. It does not say they have read it (get_messages read_by does).",
          ),
        reply_to: z.number().optional(),
        mentions: z.array(z.string()).optional().describe("The public ids of the members your @handles mentioned."),
      }),
    ],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args, context) {
      const caller = callerOf(context, args.client_id);
      const sent = await context.chat.send(caller, args.room_id, args.message, args.client_msg_id, args.reply_to);
      return withNews(context, caller, args.room_id, { success: true, ...sent });
    },
  });
