// Every tool under generated hostile arguments (fast-check), through the SDK's Client and the MCP
// face in process. Each call must end, within seconds, in a success or an error result with a code
// of the catalogue (never internal_error, never a thrown exception). A refusal must leave the
// database as it was, and no answer may carry anything of a private room the caller is not in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import fc from "fast-check";
import { chatErrors } from "../../src/errors.ts";
import { ok, pairUp } from "../tool-calls.ts";
import { argumentsOf, nastyNumber, nastyString, within } from "./fuzzing.ts";
import { startWatchedChat } from "./watched-chat.ts";

const RUNS_PER_TOOL = 120;
const CALL_LIMIT_MS = 5_000;
const SECRET = "SECRET-CANARY-MESSAGE";

const chat = startWatchedChat();
afterAll(() => chat.close());

let fuzzer: Client;
let fuzzerId: string;
let secretRoom: string;
const secrets: string[] = [SECRET];

beforeAll(async () => {
  // Two others paired in a private room, talking: what a stranger must never see.
  const { alice, roomId, aliceMatch, bobMatch } = await pairUp(async (name) => chat.connect(name));
  secretRoom = roomId;
  await ok(alice, "send_message", { room_id: roomId, message: SECRET });
  secrets.push(aliceMatch.partner_id, bobMatch.partner_id, aliceMatch.client_id, bobMatch.client_id);
  fuzzer = await chat.connect("fuzzer");
  fuzzerId = (await ok(fuzzer, "join_room", { room_id: "fuzz-room", display_name: "Fuzzer" })).client_id;
  await ok(fuzzer, "send_message", { room_id: "fuzz-room", message: "mine" });
});

const likelyRoom = () => fc.constantFrom("fuzz-room", secretRoom, "no-such-room", "pair-00000000-0000-0000-0000-000000000000");
// The partners' public ids as client_ids: a public id must never work as a secret.
const likelyClient = () =>
  fc.constantFrom(undefined, fuzzerId, `${fuzzerId}x`, "c_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", secrets[1], secrets[2]);
const fields = (): Record<string, Record<string, fc.Arbitrary<unknown>>> => ({
  enter_queue: { display_name: nastyString, client_id: likelyClient(), timeout: nastyNumber },
  join_room: { room_id: likelyRoom(), display_name: nastyString, client_id: likelyClient() },
  send_message: { room_id: likelyRoom(), message: nastyString, client_id: likelyClient(), client_msg_id: nastyString },
  wait_for_message: { room_id: likelyRoom(), client_id: likelyClient(), timeout: nastyNumber, after_seq: nastyNumber },
  get_messages: { room_id: likelyRoom(), client_id: likelyClient(), limit: nastyNumber, before_seq: nastyNumber, after_seq: nastyNumber },
  leave_chat: { room_id: likelyRoom(), client_id: likelyClient() },
  whoami: { client_id: likelyClient() },
});

const REFUSALS = Object.keys(chatErrors).filter((code) => code !== "internal_error");

describe("every tool under hostile arguments", () => {
  for (const tool of ["enter_queue", "join_room", "send_message", "wait_for_message", "get_messages", "leave_chat", "whoami"]) {
    test(`${tool}: a success or a clean refusal that changed nothing, and nothing of a room not one's own`, async () => {
      await fc.assert(
        fc.asyncProperty(argumentsOf(fields()[tool]!), async (args) => {
          const before = chat.state();
          // callTool itself rejects on a protocol error or on a result that breaks the outputSchema.
          const result = await within(fuzzer.callTool({ name: tool, arguments: args }), CALL_LIMIT_MS, tool);
          const text = JSON.stringify(result);
          for (const secret of secrets) expect(text).not.toContain(secret);

          if (result.isError) {
            const { code, error } = result.structuredContent as { code: string; error: string };
            expect(REFUSALS).toContain(code);
            expect(error).toMatch(/^[A-Z]/);
            expect(chat.state()).toBe(before);
          }
        }),
        { numRuns: RUNS_PER_TOOL },
      );
    }, 60_000);
  }
});
