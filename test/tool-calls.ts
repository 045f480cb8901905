// Calling tools as a user's client does, and checking the contract's framing: shared by the
// in-process tests and the binary's. Nothing here needs the binary.
import { type RequestOptions, Client as V2Client } from "@modelcontextprotocol/client";
import type { Client as V1Client } from "@modelcontextprotocol/sdk/client/index.js";

/** Every tool mcp-chat lists, in its order. */
export const TOOL_NAMES = [
  "enter_queue",
  "join_room",
  "send_message",
  "wait_for_message",
  "get_messages",
  "leave_chat",
  "whoami",
  "claim_handle",
  "open_direct",
  "room_info",
];

/** The SDK's clients of both lines: v2 (`@modelcontextprotocol/client`) and v1 (`@modelcontextprotocol/sdk`). */
export type Client = V1Client | V2Client;

export interface ToolReply {
  isError: boolean;
  // The parsed JSON; tests assert what a user would see.
  data: any;
}

/** Calls a tool and checks the contract's framing: one text item with the same JSON as structuredContent. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}, options?: RequestOptions): Promise<ToolReply> {
  const params = { name, arguments: args };
  // v2 dropped v1's result-schema argument.
  const result = client instanceof V2Client ? await client.callTool(params, options) : await client.callTool(params, undefined, options);
  const content = result.content as { type: string; text: string }[];
  if (content.length !== 1 || content[0]!.type !== "text") throw new Error(`expected one text item: ${JSON.stringify(content)}`);
  const fromText = JSON.parse(content[0]!.text);
  if (JSON.stringify(fromText) !== JSON.stringify(result.structuredContent)) {
    throw new Error(`text and structuredContent differ: ${content[0]!.text} vs ${JSON.stringify(result.structuredContent)}`);
  }
  return { isError: result.isError === true, data: fromText };
}

/** Calls a tool that must succeed and returns its JSON. */
export async function ok(client: Client, name: string, args: Record<string, unknown> = {}, options?: RequestOptions) {
  const reply = await call(client, name, args, options);
  if (reply.isError) throw new Error(`${name} failed: ${JSON.stringify(reply.data)}`);
  return reply.data;
}

/** Two clients paired by the queue, as in the seed's Alice-and-Bob story; `connect` makes each. */
export async function pairUp(connect: (name: string) => Promise<Client>) {
  const alice = await connect("alice");
  const bob = await connect("bob");
  const aliceQueued = ok(alice, "enter_queue", { display_name: "Alice", timeout: 10 });
  await Bun.sleep(50);
  const bobMatch = await ok(bob, "enter_queue", { display_name: "Bob", timeout: 10 });
  const aliceMatch = await aliceQueued;
  return { alice, bob, aliceMatch, bobMatch, roomId: bobMatch.room_id as string };
}

export const elapsed = async <T>(work: Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const value = await work;
  return [value, performance.now() - start];
};
