// Who may touch a room: for every tool, a member of another room, an unknown client_id, another
// participant's public id used as a client_id, and a member who left are refused, the refusal
// changes nothing, and it reads the same whether the room exists or not, so it tells nothing of
// the room (no names, no messages, no member counts). Then the secrets themselves: client_ids
// and session ids are unguessable. In process; HTTP routes in fuzz-http.test.ts and http-routes.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chatErrors } from "../../src/errors.ts";
import type { Client } from "../tool-calls.ts";
import { call, ok, pairUp } from "../tool-calls.ts";
import { newChatParts, routesInProcess } from "./in-process.ts";
import { startWatchedChat } from "./watched-chat.ts";

const chat = startWatchedChat();
afterAll(() => chat.close());

/** What the rooms hold that a stranger must never learn. */
const secrets: string[] = ["Annabel", "Benedict", "Alicia", "Bobby", "GROUP-SECRET", "PAIR-SECRET"];
const groupRoom = "ac-group";
let pairRoom = "";
let outsider: Client;
let leaver: Client;
let attackers: { who: string; client: Client; clientId?: string; expected: string }[] = [];

beforeAll(async () => {
  const ann = await chat.connect("ann");
  const ben = await chat.connect("ben");
  const annJoined = await ok(ann, "join_room", { room_id: groupRoom, display_name: "Annabel" });
  const benJoined = await ok(ben, "join_room", { room_id: groupRoom, display_name: "Benedict" });
  await ok(ann, "send_message", { room_id: groupRoom, message: "GROUP-SECRET" });
  const pair = await pairUp((name) => chat.connect(name));
  // pairUp names them Alice and Bob; rename them to names no refusal could contain by chance.
  await ok(pair.alice, "enter_queue", { display_name: "Alicia", client_id: pair.aliceMatch.client_id, timeout: 0 });
  await ok(pair.bob, "enter_queue", { display_name: "Bobby", client_id: pair.bobMatch.client_id, timeout: 0 });
  pairRoom = pair.roomId;
  await ok(pair.alice, "send_message", { room_id: pairRoom, message: "PAIR-SECRET" });
  secrets.push(
    annJoined.members[0].sender_id,
    benJoined.client_id,
    annJoined.client_id,
    pair.aliceMatch.client_id,
    pair.bobMatch.client_id,
  );
  secrets.push(pair.aliceMatch.partner_id, pair.bobMatch.partner_id);

  outsider = await chat.connect("outsider");
  const outsiderId = (await ok(outsider, "join_room", { room_id: "elsewhere", display_name: "Outsider" })).client_id;
  leaver = await chat.connect("leaver");
  const leaverId = (await ok(leaver, "join_room", { room_id: groupRoom, display_name: "Leaver" })).client_id;
  await ok(leaver, "leave_chat", { room_id: groupRoom });
  const stranger = await chat.connect("stranger");
  attackers = [
    { who: "a member of another room", client: outsider, clientId: outsiderId, expected: "not_in_room" },
    { who: "a member who left", client: leaver, clientId: leaverId, expected: "not_in_room" },
    { who: "an unknown client_id", client: stranger, clientId: "c_Zm9yZ2VkLWNsaWVudC1pZC1mb3ItYS10ZXN0", expected: "unknown_client" },
    // A public id is shown to everyone in a room: it must not work as the secret.
    { who: "another participant's public id", client: stranger, clientId: pair.aliceMatch.partner_id, expected: "unknown_client" },
  ];
});

const ROOM_TOOLS: [string, Record<string, unknown>][] = [
  ["send_message", { message: "let me in" }],
  ["wait_for_message", { timeout: 0 }],
  ["wait_for_message", { timeout: 0, after_seq: 0 }],
  ["get_messages", { limit: 200 }],
  ["get_messages", { after_seq: 0 }],
  ["leave_chat", {}],
];

/** A call that must be refused with `code`, change nothing and leak nothing; returns the sentence. */
async function refused(client: Client, tool: string, args: Record<string, unknown>, code: string): Promise<string> {
  const before = chat.state();
  const reply = await call(client, tool, args);
  const text = JSON.stringify(reply.data);
  expect({ tool, args, isError: reply.isError, code: reply.data.code }).toEqual({ tool, args, isError: true, code });
  for (const secret of secrets) expect(text).not.toContain(secret);
  expect(chat.state()).toBe(before);
  return reply.data.error;
}

describe("strangers to a room", () => {
  test("every room tool refuses each stranger, the same way for a real room as for none at all", async () => {
    for (const attacker of attackers) {
      for (const [tool, extra] of ROOM_TOOLS) {
        for (const room of [groupRoom, pairRoom]) {
          const args = { room_id: room, client_id: attacker.clientId, ...extra };
          const onRoom = await refused(attacker.client, tool, args, attacker.expected);
          const onNothing = await refused(attacker.client, tool, { ...args, room_id: "no-such-room" }, attacker.expected);
          expect({ who: attacker.who, tool, onRoom }).toEqual({ who: attacker.who, tool, onRoom: onNothing });
        }
      }
    }
  });

  test("with the session's own identity, too (no client_id passed)", async () => {
    for (const client of [outsider, leaver]) {
      for (const [tool, extra] of ROOM_TOOLS) {
        expect(await refused(client, tool, { room_id: pairRoom, ...extra }, "not_in_room")).toBe(chatErrors.not_in_room());
        expect(await refused(client, tool, { room_id: groupRoom, ...extra }, "not_in_room")).toBe(chatErrors.not_in_room());
      }
    }
  });

  test("whoami and enter_queue refuse a client_id that is not a secret, and whoami shows only one's own rooms", async () => {
    for (const attacker of attackers.filter((a) => a.expected === "unknown_client")) {
      await refused(attacker.client, "whoami", { client_id: attacker.clientId }, "unknown_client");
      await refused(attacker.client, "enter_queue", { display_name: "Eve", client_id: attacker.clientId, timeout: 0 }, "unknown_client");
      await refused(
        attacker.client,
        "join_room",
        { room_id: "anywhere", display_name: "Eve", client_id: attacker.clientId },
        "unknown_client",
      );
    }
    for (const client of [outsider, leaver]) {
      const me = await ok(client, "whoami");
      const text = JSON.stringify(me);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(me.rooms.map((r: { room_id: string }) => r.room_id)).not.toContain(groupRoom);
    }
  });

  test("a private room of two cannot be joined, by a stranger or by a member who never was one", async () => {
    for (const attacker of attackers.filter((a) => a.expected === "not_in_room")) {
      const sentence = await refused(
        attacker.client,
        "join_room",
        { room_id: pairRoom, display_name: "Eve", client_id: attacker.clientId },
        "room_private",
      );
      expect(sentence).toBe(chatErrors.room_private(pairRoom));
    }
  });
});

describe("strangers to a session, over HTTP", () => {
  test("another session's Last-Event-ID, a made-up or deleted session id: refused, and nothing of the session told", async () => {
    const http = routesInProcess({}, { maxSessions: 10 });
    const send = (body: object | undefined, headers: Record<string, string>, method = "POST") =>
      http.handle(
        new Request("http://127.0.0.1:8000/mcp", {
          method,
          headers: {
            host: "127.0.0.1:8000",
            "content-type": "application/json",
            accept: "application/json, text/event-stream",
            "mcp-protocol-version": "2025-11-25",
            ...headers,
          },
          body: body && JSON.stringify({ jsonrpc: "2.0", ...body }),
        }),
      );
    const open = async () => {
      const init = await send(
        {
          id: 0,
          method: "initialize",
          params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "ac", version: "1" } },
        },
        {},
      );
      await init.text();
      const id = init.headers.get("mcp-session-id")!;
      await (await send({ method: "notifications/initialized" }, { "mcp-session-id": id })).text();
      return id;
    };
    const owner = await open();
    const joined = await (
      await send(
        { id: 1, method: "tools/call", params: { name: "join_room", arguments: { room_id: "http-ac", display_name: "Annabel" } } },
        { "mcp-session-id": owner },
      )
    ).text();
    const eventId = joined.match(/^id: (.+)$/m)![1]!;
    const ownerSecret = JSON.parse(
      joined
        .split("\n")
        .find((line) => line.includes('"result"'))!
        .slice(6),
    ).result.structuredContent.client_id;
    http.events.flush();
    const stranger = await open();
    const gone = await open();
    await (await send(undefined, { "mcp-session-id": gone }, "DELETE")).text();

    const resumeAs = async (sessionId: string) => {
      const response = await send(undefined, { "mcp-session-id": sessionId, "last-event-id": eventId }, "GET");
      const text = await response.text();
      for (const secret of [ownerSecret, "Annabel", "http-ac"]) expect(text).not.toContain(secret);
      return response.status;
    };
    // The owner can resume from that event id, and gets its result: the id is a real one.
    const resumed = await send(undefined, { "mcp-session-id": owner, "last-event-id": eventId }, "GET");
    expect(resumed.status).toBe(200);
    expect(await resumed.text()).toContain(ownerSecret);
    expect(await resumeAs(stranger)).toBe(400);
    expect(await resumeAs(gone)).toBe(404);
    expect(await resumeAs(crypto.randomUUID())).toBe(404);
    // A tool call on a deleted session is refused too, and the owner's session still works.
    const late = await send(
      { id: 2, method: "tools/call", params: { name: "whoami", arguments: { client_id: ownerSecret } } },
      { "mcp-session-id": gone },
    );
    expect(late.status).toBe(404);
    expect(await late.text()).not.toContain("Annabel");
    const mine = await send({ id: 3, method: "tools/call", params: { name: "whoami", arguments: {} } }, { "mcp-session-id": owner });
    expect(await mine.text()).toContain("Annabel");
    http.sessions.closeAll();
  });
});

describe("unguessable secrets", () => {
  const SAMPLES = 1_000;

  test("client_ids: c_ and 32 base64url characters, 192 random bits, every bit a fair coin", () => {
    const { chat: domain } = newChatParts();
    const ids = Array.from({ length: SAMPLES }, (_, i) => domain.establish(undefined, `P${i}`).clientId);
    for (const id of ids) expect(id).toMatch(/^c_[A-Za-z0-9_-]{32}$/);
    expect(new Set(ids).size).toBe(SAMPLES);
    // Each of the 192 bits is set in about half the samples: 500 ± 6 standard deviations (6 x 15.8), a false alarm once in millions of runs.
    const ones = new Array(192).fill(0);
    for (const id of ids) {
      const bytes = Buffer.from(id.slice(2), "base64url");
      expect(bytes.length).toBe(24);
      for (let bit = 0; bit < 192; bit++) ones[bit] += (bytes[bit >> 3]! >> (bit & 7)) & 1;
    }
    for (const count of ones) expect(Math.abs(count - SAMPLES / 2)).toBeLessThan(95);
  });

  test("session ids: random UUIDs (122 random bits), never repeated", async () => {
    const http = routesInProcess({}, { maxSessions: 300 });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const response = await http.handle(
        new Request("http://127.0.0.1:8000/mcp", {
          method: "POST",
          headers: { host: "127.0.0.1:8000", "content-type": "application/json", accept: "application/json, text/event-stream" },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id: 1,
            method: "initialize",
            params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "entropy", version: "1" } },
          }),
        }),
      );
      await response.text();
      ids.push(response.headers.get("mcp-session-id")!);
    }
    http.sessions.closeAll();
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // The 122 random bits, each set in about half the samples: 100 ± 6 x 7.1.
    const bits = (id: string) =>
      [
        ...BigInt(`0x${id.replace(/-/g, "")}`)
          .toString(2)
          .padStart(128, "0"),
      ].map(Number);
    const RANDOM = [...Array(128).keys()].filter((i) => !(i >= 48 && i < 52) && !(i >= 64 && i < 66));
    for (const position of RANDOM) {
      const count = ids.reduce((sum, id) => sum + bits(id)[position]!, 0);
      expect(Math.abs(count - ids.length / 2)).toBeLessThan(43);
    }
  });
});
