import { z } from "zod";
import type { Limits, Timing } from "../config.ts";
import { clientId, displayName, keepClientId, timeout } from "./inputs.ts";
import { defineTool, establishCaller, identityReceipt, permit, withNews } from "./tool.ts";

export const enterQueueTool = (limits: Limits, timing: Timing) =>
  defineTool({
    name: "enter_queue",
    title: "Find a chat partner",
    description:
      "Join the matchmaking queue to be paired with another waiting user in a private room of two. " +
      "Blocks until a partner arrives or the timeout passes. On 'matched', use room_id with send_message " +
      "and wait_for_message. On 'waiting', call enter_queue again (with the same client_id) to keep your place. " +
      "Keep the returned client_id and pass it on every later call: it is your identity, also after reconnecting.",
    input: z.object({
      display_name: displayName(limits),
      client_id: clientId,
      timeout: timeout(timing),
    }),
    outputs: [
      z.object({
        status: z.literal("matched"),
        room_id: z.string(),
        partner: z.string().describe("The partner's display name."),
        partner_id: z.string().describe("The partner's public id."),
        ...keepClientId.outputs,
      }),
      z.object({
        status: z.literal("waiting"),
        position: z.number().describe("Your place in line, 1 first."),
        queue_length: z.number(),
        ...keepClientId.outputs,
      }),
    ],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    async run(args, context) {
      permit(context, "queue");
      const caller = establishCaller(context, args.client_id, args.display_name);
      const result = await context.chat.enterQueue(caller, { timeoutSeconds: args.timeout, signals: context.signals });
      const roomId = result.status === "matched" ? result.room_id : undefined;
      return withNews(context, caller, roomId, { ...result, ...identityReceipt(context, caller) });
    },
  });
