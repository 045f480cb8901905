import { z } from "zod";
import type { Limits } from "../config.ts";
import { clientId, displayName, keepClientId, roomId } from "./inputs.ts";
import { defineTool, identityOf, identityReceipt, memberOutput, permit, withNews } from "./tool.ts";

export const joinRoomTool = (limits: Limits) =>
  defineTool({
    name: "join_room",
    title: "Join a named room",
    description:
      "Join a named group room, creating it if it does not exist, so several agents or people can talk there. " +
      "You receive what is said after you join through wait_for_message; use get_messages for what came before. " +
      "Keep the returned client_id and pass it on every later call: it is your identity.",
    input: z.object({
      room_id: roomId,
      display_name: displayName(limits),
      client_id: clientId,
    }),
    outputs: [
      z.object({
        room_id: z.string(),
        ...keepClientId.outputs,
        members: z.array(memberOutput).describe("Who is in the room now, you included."),
      }),
    ],
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    run(args, context) {
      permit(context, "room", args.room_id);
      const { caller, room_id, members } = context.chat.joinRoom(identityOf(context, args.client_id, args.display_name), args.room_id);
      if (context.session) context.session.clientId = caller.clientId;
      return withNews(context, caller, room_id, { room_id, ...identityReceipt(context, caller), members });
    },
  });
