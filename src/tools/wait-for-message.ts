import { z } from "zod";
import type { Timing } from "../config.ts";
import { clientId, roomId, seq, timeout } from "./inputs.ts";
import { callerOf, defineTool, withNews } from "./tool.ts";

export const waitForMessageTool = (timing: Timing) =>
  defineTool({
    name: "wait_for_message",
    title: "Wait for the next message",
    description:
      "Return the oldest message from someone else that you have not read yet, blocking until one arrives " +
      "or the timeout passes. Messages are never lost: one sent while you were not waiting comes with the next call. " +
      "After each message, call wait_for_message again (at once when unread > 0). On a timeout, call it again " +
      "to keep listening. The error partner_left means the other person left the private room.",
    input: z.object({
      room_id: roomId,
      client_id: clientId,
      timeout: timeout(timing),
      after_seq: seq("after_seq").describe("Re-read from here: return the first message after this seq instead of the first unread one."),
    }),
    outputs: [
      z.object({
        message: z.string(),
        sender: z.string().describe("The sender's display name."),
        sender_id: z.string().describe("The sender's public id; 'system' for room notices."),
        timestamp: z.string(),
        seq: z.number(),
        unread: z.number().describe("How many more unread messages wait after this one."),
      }),
      z.object({
        timeout: z.literal(true),
        message: z.string(),
        seq: z.number().describe("The read position this call waited after."),
      }),
    ],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args, context) {
      const caller = callerOf(context, args.client_id);
      const result = await context.chat.waitForMessage(caller, args.room_id, args.after_seq, {
        timeoutSeconds: args.timeout,
        signals: context.signals,
      });
      if (result.kind === "timeout")
        return withNews(context, caller, args.room_id, { timeout: true, message: "No message received", seq: result.seq });
      const { kind: _, ...message } = result;
      return withNews(context, caller, args.room_id, message);
    },
  });
