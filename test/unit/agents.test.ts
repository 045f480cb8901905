// Issue 18 in process: what agents that live in rooms see (news from other rooms, all-room waits,
// batches, mentions, handles, receipts, presence, the loop guard), over the SDK's in-memory transport.
import { afterEach, describe, expect, test } from "bun:test";
import { ok } from "../tool-calls.ts";
import { type InProcessServer, startInProcess } from "./in-process.ts";

let server: InProcessServer;
afterEach(() => server?.close());

/** Clients that joined the rooms given, by display name. */
async function inRooms(people: Record<string, string[]>) {
  server = startInProcess();
  const joined: Record<string, { client: Awaited<ReturnType<InProcessServer["connect"]>>; id: string; clientId: string }> = {};
  for (const [name, rooms] of Object.entries(people)) {
    const client = await server.connect(name);
    let clientId = "";
    for (const room of rooms) clientId = (await ok(client, "join_room", { room_id: room, display_name: name })).client_id;
    joined[name] = { client, id: (await ok(client, "whoami")).sender_id, clientId };
  }
  return joined;
}

describe("news from other rooms", () => {
  test("every result names the caller's other rooms with unread messages, and moves no cursor", async () => {
    const { Ann, Bob, Cy } = await inRooms({ Ann: ["lobby", "dev"], Bob: ["lobby"], Cy: ["dev"] });
    await ok(Bob!.client, "send_message", { room_id: "lobby", message: "hi from lobby" });
    await ok(Cy!.client, "send_message", { room_id: "dev", message: "one" });
    await ok(Cy!.client, "send_message", { room_id: "dev", message: "two" });

    const inDev = await ok(Ann!.client, "get_messages", { room_id: "dev" });
    // "Bob joined" counts too: system messages are unread news, but name no sender.
    expect(inDev.unread_elsewhere).toEqual([{ room_id: "lobby", unread: 2, from: ["Bob"] }]);
    const sent = await ok(Ann!.client, "send_message", { room_id: "lobby", message: "back" });
    expect(sent.unread_elsewhere).toBeUndefined(); // get_messages read dev's page

    const me = await ok(Ann!.client, "whoami");
    expect(me.rooms.map((r: { room_id: string; unread: number; unread_from: string[] }) => [r.room_id, r.unread, r.unread_from])).toEqual([
      ["lobby", 2, ["Bob"]],
      ["dev", 0, []],
    ]);
    expect((await ok(Ann!.client, "wait_for_message", { room_id: "lobby", timeout: 0 })).message).toBe("Bob joined");
    const waited = await ok(Ann!.client, "wait_for_message", { room_id: "lobby", timeout: 0 });
    expect(waited.message).toBe("hi from lobby");
    expect(waited.unread_elsewhere).toBeUndefined();
  });
});
