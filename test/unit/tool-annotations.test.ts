// What tools/list tells a client about each tool's effects, read over the SDK's in-memory transport.
// Clients decide from these hints whether to ask a person before a call: MCP's defaults for an
// unset hint are "destructive" and "not idempotent".
import { expect, test } from "bun:test";
import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { Chat } from "../../src/chat/chat.ts";
import { LocalDoorbell } from "../../src/chat/doorbell.ts";
import { defaultLimits, defaultTiming } from "../../src/config.ts";
import { openDatabase } from "../../src/db/open.ts";
import { ChatStore } from "../../src/db/store.ts";
import { createMcpServer } from "../../src/mcp-server.ts";
import { chatTools } from "../../src/tools/index.ts";

test("every tool's annotations say what a call does: only leave_chat destroys, retries of the safe ones are harmless", async () => {
  const chat = new Chat({
    store: new ChatStore(openDatabase(":memory:")),
    doorbell: new LocalDoorbell(),
    timing: defaultTiming,
    limits: defaultLimits,
  });
  const tools = chatTools(defaultLimits, defaultTiming);
  const server = createMcpServer(chat, () => tools);
  const client = new Client({ name: "annotations", version: "1.0.0" });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);

  const { tools: listed } = await client.listTools();
  const hints = Object.fromEntries(listed.map((tool) => [tool.name, tool.annotations]));
  const writes = (destructive: boolean, idempotent: boolean) => ({
    readOnlyHint: false,
    destructiveHint: destructive,
    idempotentHint: idempotent,
    openWorldHint: true,
  });
  expect(hints).toEqual({
    enter_queue: writes(false, false),
    join_room: writes(false, true),
    send_message: writes(false, false),
    wait_for_message: writes(false, false),
    get_messages: writes(false, true),
    leave_chat: writes(true, true),
    whoami: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    claim_handle: writes(false, true),
    open_direct: writes(false, true),
    room_info: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  });
  await client.close();
});
