// Every bad input in the contract, as a user sees it through the SDK's Client: a tool result with
// isError: true and {"error": "<a sentence>", "code": "<snake_case>"}. The clients here list the
// tools first, so the SDK checks each result against the tool's outputSchema: an error that broke
// the schema would throw instead of passing. In process (the MCP face over the SDK's in-memory
// transport); what only HTTP shows is in test/errors.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "../tool-calls.ts";
import { call, elapsed, ok, pairUp, TOOL_NAMES } from "../tool-calls.ts";
import { type InProcessServer, startInProcess } from "./in-process.ts";

const servers: InProcessServer[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
/** A chat of its own, like a server started on a fresh database. */
function startServer(options: Parameters<typeof startInProcess>[0] = {}): InProcessServer {
  const server = startInProcess(options);
  servers.push(server);
  return server;
}

const TOOLS = TOOL_NAMES;

const server = startServer({ timing: { maxWaitSeconds: 30 } });

/** Makes the SDK validate every later result of this client against the tools' output schemas. */
async function validateOutputs(client: Client): Promise<Client> {
  const { tools } = await client.listTools();
  expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
  for (const tool of tools) expect(tool.outputSchema).toBeDefined();
  return client;
}

/** A connected client whose results the SDK validates. */
const validating = async (target: InProcessServer = server) => validateOutputs(await target.connect());

/** Two clients paired by the queue, both validating. */
async function pair(target: InProcessServer = server) {
  const paired = await pairUp((name) => target.connect(name));
  await validateOutputs(paired.alice);
  await validateOutputs(paired.bob);
  return paired;
}

/** A client with an identity of its own (a member of a group room). */
async function member(room: string, name: string, target: InProcessServer = server) {
  const client = await validating(target);
  const joined = await ok(client, "join_room", { room_id: room, display_name: name });
  return { client, clientId: joined.client_id as string };
}

/**
 * Calls a tool that must fail with `code`, checks the error shape and that the message reads as a
 * sentence (not a dump of JSON or a stack), and returns the message.
 */
async function fails(client: Client, tool: string, args: Record<string, unknown>, code: string): Promise<string> {
  const reply = await call(client, tool, args);
  expect({ tool, isError: reply.isError, code: reply.data.code }).toEqual({ tool, isError: true, code });
  expect(Object.keys(reply.data).sort()).toEqual(["code", "error"]);
  const message: string = reply.data.error;
  expect(typeof message).toBe("string");
  expect(message).toMatch(/^[A-Za-z]/);
  expect(message.length).toBeGreaterThan(5);
  expect(message).not.toMatch(/[{}[\]]|undefined|\[object|ZodError| {4}at /);
  expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  return message;
}

describe("the error shape", () => {
  test("every tool's error result passes the SDK's outputSchema check", async () => {
    const stranger = await validating();
    // A fresh session: no identity, so each tool fails; enter_queue and join_room on bad input.
    await fails(stranger, "enter_queue", { display_name: "", timeout: 0 }, "invalid_input");
    await fails(stranger, "join_room", { room_id: "no spaces allowed", display_name: "Eve" }, "invalid_input");
    for (const tool of ["send_message", "wait_for_message", "get_messages", "leave_chat", "whoami"]) {
      const args = tool === "whoami" ? {} : tool === "send_message" ? { room_id: "r", message: "hi" } : { room_id: "r" };
      await fails(stranger, tool, args, "no_identity");
    }
  });
});

describe("strangers", () => {
  test("a third participant gets not_in_room from wait, send, read and leave in a pair room", async () => {
    const { alice, bob, roomId } = await pair();
    const { client: eve } = await member("eves-corner", "Eve");

    const [waitError, ms] = await elapsed(fails(eve, "wait_for_message", { room_id: roomId, timeout: 20 }, "not_in_room"));
    expect(waitError).toBe("Not in room");
    expect(ms).toBeLessThan(2_000); // refused at once, not after blocking
    expect(await fails(eve, "send_message", { room_id: roomId, message: "let me in" }, "not_in_room")).toBe("Not in room");
    expect(await fails(eve, "get_messages", { room_id: roomId }, "not_in_room")).toBe("Not in room");
    expect(await fails(eve, "leave_chat", { room_id: roomId }, "not_in_room")).toBe("Not in room");

    // Nothing of Eve's reached the room, and Alice and Bob still talk.
    expect((await ok(bob, "get_messages", { room_id: roomId })).messages).toEqual([]);
    await ok(alice, "send_message", { room_id: roomId, message: "still private" });
    expect((await ok(bob, "wait_for_message", { room_id: roomId, timeout: 5 })).message).toBe("still private");
  });

  test("a third participant cannot join a pair room made by the queue", async () => {
    const { bob, roomId } = await pair();
    const { client: eve } = await member("eves-corner", "Eve");
    const message = await fails(eve, "join_room", { room_id: roomId, display_name: "Eve" }, "room_private");
    expect(message).toMatch(/private/i);
    // The refusal let nobody in.
    expect(await fails(eve, "get_messages", { room_id: roomId }, "not_in_room")).toBe("Not in room");
    const rooms = (await ok(bob, "whoami")).rooms;
    const pairRoom = rooms.find((r: { room_id: string }) => r.room_id === roomId);
    expect(pairRoom.members.map((m: { sender: string }) => m.sender).sort()).toEqual(["Alice", "Bob"]);
    // Nor does a fresh session get in by joining it.
    const fresh = await validating();
    await fails(fresh, "join_room", { room_id: roomId, display_name: "Mallory" }, "room_private");
  });

  test("a refused join_room renames no one and leaves the session without a new identity", async () => {
    // Found by test/unit/fuzz-tools.test.ts: the rename was committed before the join was refused.
    const { roomId } = await pair();
    const { client: eve, clientId } = await member("eves-corner", "Eve");
    await fails(eve, "join_room", { room_id: roomId, display_name: "Mallory", client_id: clientId }, "room_private");
    expect((await ok(eve, "whoami")).sender).toBe("Eve");
    const fresh = await validating();
    await fails(fresh, "join_room", { room_id: roomId, display_name: "Mallory" }, "room_private");
    expect(await fails(fresh, "whoami", {}, "no_identity")).toMatch(/^Who are you/);
  });

  test("a participant outside a group room, or naming a room that does not exist, is not in it", async () => {
    await member("members-only", "Ann");
    const { client: eve } = await member("eves-corner", "Eve");
    for (const room of ["members-only", "no-such-room"]) {
      expect(await fails(eve, "wait_for_message", { room_id: room, timeout: 0 }, "not_in_room")).toBe("Not in room");
      expect(await fails(eve, "send_message", { room_id: room, message: "hi" }, "not_in_room")).toBe("Not in room");
      expect(await fails(eve, "get_messages", { room_id: room }, "not_in_room")).toBe("Not in room");
      expect(await fails(eve, "leave_chat", { room_id: room }, "not_in_room")).toBe("Not in room");
    }
  });
});

describe("after leaving", () => {
  test("a participant who left a group room can no longer send or read there", async () => {
    const { client: ann } = await member("leavers", "Ann");
    const { client: ben } = await member("leavers", "Ben");
    await ok(ben, "leave_chat", { room_id: "leavers" });
    expect(await fails(ben, "send_message", { room_id: "leavers", message: "one more" }, "not_in_room")).toBe("Not in room");
    expect(await fails(ben, "wait_for_message", { room_id: "leavers", timeout: 0 }, "not_in_room")).toBe("Not in room");
    expect(await fails(ben, "get_messages", { room_id: "leavers" }, "not_in_room")).toBe("Not in room");
    expect(await fails(ben, "leave_chat", { room_id: "leavers" }, "not_in_room")).toBe("Not in room");
    const history = await ok(ann, "get_messages", { room_id: "leavers" });
    expect(history.messages.map((m: { message: string }) => m.message)).not.toContain("one more");
  });

  test("a participant who left a pair room can no longer send or read there", async () => {
    const { bob, roomId } = await pair();
    await ok(bob, "leave_chat", { room_id: roomId });
    expect(await fails(bob, "send_message", { room_id: roomId, message: "wait, come back" }, "not_in_room")).toBe("Not in room");
    expect(await fails(bob, "wait_for_message", { room_id: roomId, timeout: 0 }, "not_in_room")).toBe("Not in room");
    expect(await fails(bob, "get_messages", { room_id: roomId }, "not_in_room")).toBe("Not in room");
  });

  test("sending into a pair room whose partner left is partner_left", async () => {
    const { alice, bob, roomId } = await pair();
    await ok(bob, "send_message", { room_id: roomId, message: "bye" });
    await ok(bob, "leave_chat", { room_id: roomId });
    expect(await fails(alice, "send_message", { room_id: roomId, message: "hello?" }, "partner_left")).toBe("Partner disconnected");
    // What the partner said before leaving is still read first, then the wait says partner_left.
    expect((await ok(alice, "wait_for_message", { room_id: roomId, timeout: 5 })).message).toBe("bye");
    const [message, ms] = await elapsed(fails(alice, "wait_for_message", { room_id: roomId, timeout: 20 }, "partner_left"));
    expect(message).toBe("Partner disconnected");
    expect(ms).toBeLessThan(2_000);
    // Nothing was stored by the refused send.
    const history = await ok(alice, "get_messages", { room_id: roomId });
    expect(history.messages.map((m: { message: string }) => m.message)).toEqual(["bye"]);
  });
});

describe("identity", () => {
  test("a fresh session without client_id gets no_identity", async () => {
    const fresh = await validating();
    const sendError = await fails(fresh, "send_message", { room_id: "lobby", message: "hi" }, "no_identity");
    expect(sendError).toContain("client_id");
    expect(await fails(fresh, "whoami", {}, "no_identity")).toContain("client_id");
    await fails(fresh, "wait_for_message", { room_id: "lobby", timeout: 0 }, "no_identity");
    await fails(fresh, "get_messages", { room_id: "lobby" }, "no_identity");
    await fails(fresh, "leave_chat", { room_id: "lobby" }, "no_identity");
  });

  test("an unknown client_id gets unknown_client, and makes no participant", async () => {
    const bogus = `c_${"A".repeat(32)}`;
    const fresh = await validating();
    expect(await fails(fresh, "whoami", { client_id: bogus }, "unknown_client")).toContain("client_id");
    await fails(fresh, "send_message", { room_id: "lobby", message: "hi", client_id: bogus }, "unknown_client");
    await fails(fresh, "wait_for_message", { room_id: "lobby", client_id: bogus, timeout: 0 }, "unknown_client");
    await fails(fresh, "get_messages", { room_id: "lobby", client_id: bogus }, "unknown_client");
    await fails(fresh, "leave_chat", { room_id: "lobby", client_id: bogus }, "unknown_client");
    await fails(fresh, "join_room", { room_id: "lobby", display_name: "Eve", client_id: bogus }, "unknown_client");
    // The failed join did not give this session an identity.
    await fails(fresh, "whoami", {}, "no_identity");
  });

  test("an unknown client_id is refused even on a session that has an identity", async () => {
    const { client } = await member("identity-room", "Ann");
    await fails(client, "whoami", { client_id: "c_not-a-real-token" }, "unknown_client");
    await fails(client, "send_message", { room_id: "identity-room", message: "hi", client_id: "c_nope" }, "unknown_client");
    expect((await ok(client, "whoami")).sender).toBe("Ann");
  });
});

describe("invalid input", () => {
  const ROOM = "validation";
  let me: Client;
  let myId: string;
  beforeAll(async () => {
    ({ client: me, clientId: myId } = await member(ROOM, "Val"));
  });

  // [what, tool, arguments (client_id is added), the field the message must name]
  const cases: [string, string, Record<string, unknown>, string][] = [
    // display_name: 1-64 characters after trimming, no control characters, a string.
    ["display_name empty", "join_room", { room_id: ROOM, display_name: "" }, "display_name"],
    ["display_name only spaces", "join_room", { room_id: ROOM, display_name: "    " }, "display_name"],
    ["display_name 65 chars", "join_room", { room_id: ROOM, display_name: "n".repeat(65) }, "display_name"],
    ["display_name with a bell", "join_room", { room_id: ROOM, display_name: "Al\u0007ice" }, "display_name"],
    ["display_name with a newline inside", "join_room", { room_id: ROOM, display_name: "Al\nice" }, "display_name"],
    ["display_name with NUL", "join_room", { room_id: ROOM, display_name: "Al\u0000ice" }, "display_name"],
    ["display_name with DEL", "join_room", { room_id: ROOM, display_name: "Al\u007fice" }, "display_name"],
    ["display_name a number", "join_room", { room_id: ROOM, display_name: 42 }, "display_name"],
    ["display_name null", "join_room", { room_id: ROOM, display_name: null }, "display_name"],
    ["display_name an object", "join_room", { room_id: ROOM, display_name: { first: "Al" } }, "display_name"],
    // Names that show nothing, or could pass for another name.
    ["display_name only a zero-width space", "join_room", { room_id: ROOM, display_name: "\u200b" }, "display_name"],
    ["display_name with a right-to-left override", "join_room", { room_id: ROOM, display_name: "\u202eecilA" }, "display_name"],
    // Issue 19, #16: names that look blank or like another, or pass for the room notices' sender.
    ["display_name a zero-width space inside", "join_room", { room_id: ROOM, display_name: "Al\u200bice" }, "display_name"],
    ["display_name a zero-width joiner", "join_room", { room_id: ROOM, display_name: "Al\u200dice" }, "display_name"],
    ["display_name a left-to-right mark", "join_room", { room_id: ROOM, display_name: "\u200eAlice" }, "display_name"],
    ["display_name a right-to-left mark", "join_room", { room_id: ROOM, display_name: "Alice\u200f" }, "display_name"],
    ["display_name an Arabic letter mark", "join_room", { room_id: ROOM, display_name: "Al\u061cice" }, "display_name"],
    ["display_name a line separator", "join_room", { room_id: ROOM, display_name: "Al\u2028ice" }, "display_name"],
    ["display_name a paragraph separator", "join_room", { room_id: ROOM, display_name: "Al\u2029ice" }, "display_name"],
    ["display_name a byte-order mark inside", "join_room", { room_id: ROOM, display_name: "Al\ufeffice" }, "display_name"],
    ["display_name a soft hyphen", "join_room", { room_id: ROOM, display_name: "Al\u00adice" }, "display_name"],
    ["display_name only a Hangul filler", "join_room", { room_id: ROOM, display_name: "\u3164" }, "display_name"],
    ["display_name only blank Braille", "join_room", { room_id: ROOM, display_name: "\u2800\u2800" }, "display_name"],
    ["display_name system", "join_room", { room_id: ROOM, display_name: "system" }, "display_name"],
    ["display_name System", "enter_queue", { display_name: " System ", timeout: 0 }, "display_name"],
    [
      "display_name full-width system",
      "join_room",
      { room_id: ROOM, display_name: "\uff53\uff59\uff53\uff54\uff45\uff4d" },
      "display_name",
    ],
    // Broken UTF-16 (a lone surrogate) would be stored as U+FFFD: altered, and ids could collide.
    ["display_name with a lone surrogate", "join_room", { room_id: ROOM, display_name: "Al\ud800ice" }, "display_name"],
    ["message with a lone surrogate", "send_message", { room_id: ROOM, message: "x\ud800y" }, "message"],
    ["client_msg_id with a lone surrogate", "send_message", { room_id: ROOM, message: "hi", client_msg_id: "id-\udc00" }, "client_msg_id"],
    // message: 1-8000 characters.
    ["message empty", "send_message", { room_id: ROOM, message: "" }, "message"],
    ["message 8001 chars", "send_message", { room_id: ROOM, message: "m".repeat(8001) }, "message"],
    ["message a number", "send_message", { room_id: ROOM, message: 7 }, "message"],
    // room_id: 1-64 of A-Z a-z 0-9 _ -
    ["room_id with a space", "join_room", { room_id: "two words", display_name: "Val" }, "room_id"],
    ["room_id 65 chars", "join_room", { room_id: "r".repeat(65), display_name: "Val" }, "room_id"],
    ["room_id empty", "join_room", { room_id: "", display_name: "Val" }, "room_id"],
    ["room_id with a slash", "join_room", { room_id: "a/b", display_name: "Val" }, "room_id"],
    ["room_id a number", "join_room", { room_id: 12, display_name: "Val" }, "room_id"],
    ["room_id with a space (send)", "send_message", { room_id: "two words", message: "hi" }, "room_id"],
    ["room_id empty (wait)", "wait_for_message", { room_id: "", timeout: 0 }, "room_id"],
    ["room_id 65 chars (read)", "get_messages", { room_id: "r".repeat(65) }, "room_id"],
    ["room_id with a space (leave)", "leave_chat", { room_id: "two words" }, "room_id"],
    // timeout: a number of seconds, not negative.
    ["timeout negative", "wait_for_message", { room_id: ROOM, timeout: -1 }, "timeout"],
    ["timeout a string", "wait_for_message", { room_id: ROOM, timeout: "5" }, "timeout"],
    // after_seq / before_seq: whole numbers, not negative.
    ["after_seq negative", "wait_for_message", { room_id: ROOM, after_seq: -1, timeout: 0 }, "after_seq"],
    ["after_seq fractional", "wait_for_message", { room_id: ROOM, after_seq: 1.5, timeout: 0 }, "after_seq"],
    ["after_seq a string", "wait_for_message", { room_id: ROOM, after_seq: "0", timeout: 0 }, "after_seq"],
    ["get_messages after_seq fractional", "get_messages", { room_id: ROOM, after_seq: 2.5 }, "after_seq"],
    ["get_messages before_seq negative", "get_messages", { room_id: ROOM, before_seq: -1 }, "before_seq"],
    // limit: 1-200, whole.
    ["limit 0", "get_messages", { room_id: ROOM, limit: 0 }, "limit"],
    ["limit 201", "get_messages", { room_id: ROOM, limit: 201 }, "limit"],
    ["limit fractional", "get_messages", { room_id: ROOM, limit: 1.5 }, "limit"],
    ["limit a string", "get_messages", { room_id: ROOM, limit: "10" }, "limit"],
  ];

  test.each(cases)("%s is invalid_input naming the field", async (_what, tool, args, field) => {
    const message = await fails(me, tool, { client_id: myId, ...args }, "invalid_input");
    expect(message).toContain(field);
  });

  test("the messages explain the limits", async () => {
    const say = (tool: string, args: Record<string, unknown>) => fails(me, tool, { client_id: myId, ...args }, "invalid_input");
    expect(await say("join_room", { room_id: ROOM, display_name: "n".repeat(65) })).toMatch(/64/);
    expect(await say("join_room", { room_id: ROOM, display_name: "Al\u0007ice" })).toMatch(/control/i);
    expect(await say("send_message", { room_id: ROOM, message: "m".repeat(8001) })).toMatch(/8,?000/);
    expect(await say("join_room", { room_id: "two words", display_name: "Val" })).toMatch(/64/);
    expect(await say("wait_for_message", { room_id: ROOM, timeout: -1 })).toMatch(/negative/i);
    expect(await say("get_messages", { room_id: ROOM, limit: 201 })).toMatch(/200/);
  });

  test("a client_id of the wrong type is invalid_input naming client_id", async () => {
    expect(await fails(me, "whoami", { client_id: 42 }, "invalid_input")).toContain("client_id");
  });

  test("missing required fields say '<field> is required'", async () => {
    const fresh = await validating();
    const send = await fails(me, "send_message", { client_id: myId }, "invalid_input");
    expect(send).toContain("room_id is required");
    expect(send).toContain("message is required");
    expect(await fails(me, "send_message", { room_id: ROOM, client_id: myId }, "invalid_input")).toContain("message is required");
    expect(await fails(fresh, "join_room", { room_id: ROOM }, "invalid_input")).toContain("display_name is required");
    expect(await fails(fresh, "join_room", { display_name: "Val" }, "invalid_input")).toContain("room_id is required");
    // wait_for_message without room_id waits on all rooms (issue 18); room_info needs one.
    expect(await fails(me, "room_info", { client_id: myId }, "invalid_input")).toContain("room_id is required");
    expect(await fails(me, "get_messages", { client_id: myId }, "invalid_input")).toContain("room_id is required");
    expect(await fails(me, "leave_chat", { client_id: myId }, "invalid_input")).toContain("room_id is required");
    // Validation comes before identity: the fresh session is told what is missing, not who it is.
    expect(await fails(fresh, "send_message", {}, "invalid_input")).toContain("room_id is required");
  });

  test("the values at the edge of each limit are accepted", async () => {
    const edge = await validating();
    const joined = await ok(edge, "join_room", { room_id: "e".repeat(64), display_name: "n".repeat(64) });
    expect(joined.room_id).toBe("e".repeat(64));
    // 64 after trimming: surrounding spaces do not count.
    await ok(edge, "join_room", { room_id: ROOM, display_name: `  ${"n".repeat(64)}  ` });
    expect((await ok(edge, "whoami")).sender).toBe("n".repeat(64));
    await ok(edge, "join_room", { room_id: ROOM, display_name: "A" });
    const sent = await ok(me, "send_message", { room_id: ROOM, message: "m".repeat(8000), client_id: myId });
    expect(sent.success).toBe(true);
    const got = await ok(edge, "wait_for_message", { room_id: ROOM, timeout: 5 });
    expect(got.message).toHaveLength(8000);
    await ok(me, "send_message", { room_id: ROOM, message: "x", client_id: myId });
    expect((await ok(me, "get_messages", { room_id: ROOM, limit: 1, client_id: myId })).messages).toHaveLength(1);
    expect((await ok(me, "get_messages", { room_id: ROOM, limit: 200, client_id: myId })).messages.length).toBeGreaterThan(1);
    await ok(me, "wait_for_message", { room_id: ROOM, after_seq: 0, timeout: 0, client_id: myId });
  });

  test("refused calls changed nothing", async () => {
    const whoami = await ok(me, "whoami", { client_id: myId });
    expect(whoami.sender).toBe("Val");
    expect(whoami.rooms.map((r: { room_id: string }) => r.room_id)).toEqual([ROOM]);
    const history = await ok(me, "get_messages", { room_id: ROOM, client_id: myId, limit: 200 });
    const mine = history.messages.filter((m: { sender_id: string }) => m.sender_id === whoami.sender_id);
    expect(mine.map((m: { message: string }) => m.message.length)).toEqual([8000, 1]);
  });
});

describe("what a name and a length may be (issue 19, #16 and #17)", () => {
  test("names in any script, with accents, apostrophes and emoji, are accepted as given", async () => {
    const someone = await validating();
    for (const name of ["Zoë", "李小龙", "Ana María", "O'Brien", "🙂", "👩‍💻 coder", "👨‍👩‍👧", "Σωκράτης", "systematic", "system 2"]) {
      expect((await ok(someone, "join_room", { room_id: "names", display_name: name })).members.at(-1).sender).toBe(name);
    }
  });

  test("lengths count code points: 64 emoji make a name and 8,000 a message; one more is refused", async () => {
    const { client, clientId } = await member("code-points", "Counter");
    const emoji = "😀";
    expect(emoji.length).toBe(2); // two UTF-16 units, one code point
    expect((await ok(client, "whoami", { client_id: clientId })).sender).toBe("Counter");
    await ok(client, "join_room", { room_id: "code-points", display_name: emoji.repeat(64), client_id: clientId });
    expect(await fails(client, "join_room", { room_id: "code-points", display_name: emoji.repeat(65) }, "invalid_input")).toMatch(/64/);
    const sent = await ok(client, "send_message", { room_id: "code-points", message: emoji.repeat(8000) });
    const history = await ok(client, "get_messages", { room_id: "code-points", after_seq: sent.seq - 1 });
    expect(history.messages[0].message).toBe(emoji.repeat(8000));
    expect(await fails(client, "send_message", { room_id: "code-points", message: emoji.repeat(8001) }, "invalid_input")).toMatch(/8,?000/);
  });
});

describe("enter_queue input and timeout 0", () => {
  // A server of its own: a queue entry left waiting here must not pair with another test's pairUp.
  let queueServer: InProcessServer;
  beforeAll(async () => {
    queueServer = startServer();
  });

  test("bad enter_queue arguments are invalid_input naming the field, and queue nobody", async () => {
    const client = await validating(queueServer);
    const cases: [Record<string, unknown>, string][] = [
      [{ display_name: "", timeout: 0 }, "display_name"],
      [{ display_name: "   ", timeout: 0 }, "display_name"],
      [{ display_name: "n".repeat(65), timeout: 0 }, "display_name"],
      [{ display_name: "Tab\there", timeout: 0 }, "display_name"],
      [{ display_name: 42, timeout: 0 }, "display_name"],
      [{ display_name: "Solo", timeout: -1 }, "timeout"],
      [{ display_name: "Solo", timeout: "5" }, "timeout"],
      [{ display_name: "Solo", timeout: 0, client_id: 5 }, "client_id"],
    ];
    for (const [args, field] of cases) {
      expect(await fails(client, "enter_queue", args, "invalid_input")).toContain(field);
    }
    expect(await fails(client, "enter_queue", { timeout: 0 }, "invalid_input")).toContain("display_name is required");
    await fails(client, "enter_queue", { display_name: "Solo", timeout: 0, client_id: "c_unknown" }, "unknown_client");
    // None of that made a participant or a queue entry.
    await fails(client, "whoami", {}, "no_identity");
  });

  test("enter_queue with timeout 0 returns 'waiting' at once", async () => {
    // An empty queue of its own, so the position is known.
    const emptyQueue = startServer();
    const solo = await validating(emptyQueue);
    const [waiting, ms] = await elapsed(ok(solo, "enter_queue", { display_name: "Solo", timeout: 0 }));
    expect(ms).toBeLessThan(1_000);
    expect(waiting).toEqual({
      status: "waiting",
      position: 1,
      queue_length: 1,
      client_id: expect.any(String),
      hint: expect.stringContaining("client_id"),
    });
    // Within the grace period a newcomer is paired with Solo at once, also with timeout 0.
    const other = await validating(emptyQueue);
    const matched = await ok(other, "enter_queue", { display_name: "Other", timeout: 0 });
    expect(matched).toMatchObject({ status: "matched", partner: "Solo" });
    const again = await ok(solo, "enter_queue", { display_name: "Solo", timeout: 0, client_id: waiting.client_id });
    expect(again).toMatchObject({ status: "matched", room_id: matched.room_id, partner: "Other" });
  });

  test("wait_for_message with timeout 0 returns the timeout shape at once", async () => {
    const { bob, roomId } = await pair(queueServer);
    const [reply, ms] = await elapsed(ok(bob, "wait_for_message", { room_id: roomId, timeout: 0 }));
    expect(reply).toEqual({ timeout: true, message: "No message received", seq: 0 });
    expect(ms).toBeLessThan(1_000);
  });
});

describe("limits", () => {
  /** Resolves once the participant has `count` blocked calls (whoami's waiting_calls), or after 3 s. */
  async function blocked(client: Client, clientId: string, count: number) {
    const deadline = performance.now() + 3_000;
    while (performance.now() < deadline) {
      const waiting = (await ok(client, "whoami", { client_id: clientId })).waiting_calls;
      if (waiting === undefined || waiting >= count) break;
      await Bun.sleep(25);
    }
    if ((await ok(client, "whoami", { client_id: clientId })).waiting_calls === undefined) await Bun.sleep(500);
  }

  test("a participant may have 8 waiting calls at once; a 9th is too_many_waits until they end", async () => {
    const { alice, bob, bobMatch, roomId } = await pair();
    const bobId: string = bobMatch.client_id;
    // Bob's eight waits come over three HTTP sessions: the limit is per participant, not per session.
    const sessions = [bob, await validating(), await validating()];
    let settled = 0;
    const waits = Array.from({ length: 8 }, (_, i) =>
      call(sessions[i % 3]!, "wait_for_message", { room_id: roomId, client_id: bobId, timeout: 8 }).finally(() => settled++),
    );
    await blocked(bob, bobId, 8);
    expect(settled).toBe(0);

    // (A short timeout, so that a 9th call wrongly accepted fails this test in seconds, not at its end.)
    const [refusal, ms] = await elapsed(
      fails(sessions[2]!, "wait_for_message", { room_id: roomId, client_id: bobId, timeout: 2 }, "too_many_waits"),
    );
    expect(refusal).toMatch(/8/);
    expect(refusal).toMatch(/wait/i);
    expect(ms).toBeLessThan(2_000);
    // Bob's own session, relying on its remembered identity, is refused too, even with timeout 0.
    await fails(bob, "wait_for_message", { room_id: roomId, timeout: 0 }, "too_many_waits");
    // An enter_queue refused for the same reason renames no one (it once renamed, then refused).
    await fails(sessions[1]!, "enter_queue", { display_name: "Robert", client_id: bobId, timeout: 0 }, "too_many_waits");
    expect((await ok(alice, "whoami")).rooms[0].members.map((m: { sender: string }) => m.sender).sort()).toEqual(["Alice", "Bob"]);
    expect(settled).toBe(0);

    // The limit is Bob's alone: Alice can still wait.
    expect(await ok(alice, "wait_for_message", { room_id: roomId, timeout: 0 })).toMatchObject({ timeout: true });

    // Eight messages release all eight (whether each call gets its own message or all get the first).
    for (let i = 1; i <= 8; i++) await ok(alice, "send_message", { room_id: roomId, message: `wake ${i}` });
    const [woken, wakeMs] = await elapsed(Promise.all(waits));
    expect(wakeMs).toBeLessThan(3_000);
    for (const reply of woken) {
      expect(reply.isError).toBe(false);
      expect(reply.data).toMatchObject({ message: expect.stringMatching(/^wake \d$/), sender: "Alice" });
    }

    // Every slot is free again: eight new waits are accepted, none is refused.
    const again = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call(sessions[i % 3]!, "wait_for_message", { room_id: roomId, client_id: bobId, timeout: 1 })),
    );
    for (const reply of again) {
      expect(reply.isError).toBe(false);
      expect(reply.data.code).toBeUndefined();
    }
    expect((await call(bob, "wait_for_message", { room_id: roomId, timeout: 0 })).isError).toBe(false);
  }, 15_000);

  test("a group room takes 100 members; the 101st gets room_full", async () => {
    const room = "crowded";
    const members: { client: Client; clientId: string }[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const joined = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const client = await server.connect();
          const reply = await ok(client, "join_room", { room_id: room, display_name: `m${batch * 10 + i}` });
          return { client, clientId: reply.client_id as string };
        }),
      );
      members.push(...joined);
    }
    expect(members).toHaveLength(100);
    const first = await ok(members[0]!.client, "whoami");
    expect(first.rooms.find((r: { room_id: string }) => r.room_id === room).members).toHaveLength(100);

    const late = await validating();
    const message = await fails(late, "join_room", { room_id: room, display_name: "Late" }, "room_full");
    expect(message).toMatch(/full/i);
    expect(message).toMatch(/100/);
    // The refusal let nobody in.
    const after = await ok(members[1]!.client, "whoami");
    const crowd = after.rooms.find((r: { room_id: string }) => r.room_id === room).members;
    expect(crowd).toHaveLength(100);
    expect(crowd.map((m: { sender: string }) => m.sender)).not.toContain("Late");
    // A member joining again is not a new member.
    await ok(members[5]!.client, "join_room", { room_id: room, display_name: "m5" });
    // Once someone leaves there is room again.
    await ok(members[0]!.client, "leave_chat", { room_id: room });
    const joined = await ok(late, "join_room", { room_id: room, display_name: "Late" });
    expect(joined.members).toHaveLength(100);
    await fails(await validating(), "join_room", { room_id: room, display_name: "Later" }, "room_full");
  }, 20_000);
});
