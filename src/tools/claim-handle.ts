import { z } from "zod";
import { clientId, handle } from "./inputs.ts";
import { callerOf, defineTool, withNews } from "./tool.ts";

export const claimHandleTool = () =>
  defineTool({
    name: "claim_handle",
    title: "Claim an @handle",
    description:
      "Claim a unique @handle, kept with your identity across restarts: others can then @mention you in a room " +
      "(wait_for_message mentions_only hears only those) and open_direct a private room with you. " +
      "A new claim replaces your old handle.",
    input: z.object({
      handle: handle.describe("2-32 characters of a-z 0-9 _ -, starting with a letter; case does not matter."),
      client_id: clientId,
    }),
    outputs: [z.object({ handle: z.string().describe("Your handle, in lower case, without the @.") })],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    run(args, context) {
      const caller = callerOf(context, args.client_id);
      return withNews(context, caller, undefined, context.chat.claimHandle(caller, args.handle));
    },
  });
