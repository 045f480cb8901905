// --stdio --channel through the binary: Claude Code's channel notifications, as a client that
// listens for them receives them, sent by a message another process stores (docs/CHANNELS.md).
import { afterAll, describe, expect, test } from "bun:test";
import { Client as V2Client } from "@modelcontextprotocol/client";
import { StdioClientTransport as V2StdioTransport } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BINARY, cleanUp, ok, protocolVersionOf, stdioClient, tempDb } from "./helpers.ts";

const opened: (Client | V2Client)[] = [];
afterAll(async () => {
  for (const client of opened.splice(0)) await client.close();
  await cleanUp();
});

interface Heard {
  content: string;
  meta: Record<string, string>;
}

/** A client started on `mcp-chat --stdio ARGS` that writes down every channel notification, from the first. */
async function listening(dbPath: string, args: string[]) {
  const client = new Client({ name: "claude-code-like", version: "1.0.0" });
  const heard: Heard[] = [];
  client.fallbackNotificationHandler = async (notification) => {
    if (notification.method === "notifications/claude/channel") heard.push(notification.params as unknown as Heard);
  };
  await client.connect(new StdioClientTransport({ command: BINARY, args: ["--stdio", "--db", dbPath, ...args], stderr: "pipe" }));
  opened.push(client);
  return { client, heard };
}

/** Resolves once `heard` holds `count` notifications, or after 5 s. */
async function hearing(heard: Heard[], count: number): Promise<Heard[]> {
  const deadline = Date.now() + 5_000;
  while (heard.length < count && Date.now() < deadline) await Bun.sleep(10);
  return heard;
}

/** Ann, in her own process, joins `roomId` and says each of `messages` there. */
async function annSays(dbPath: string, roomId: string, ...messages: string[]) {
  const ann = await stdioClient(dbPath, ["--as", "Ann"], "ann");
  const { members } = await ok(ann, "join_room", { room_id: roomId, display_name: "Ann" });
  for (const message of messages) await ok(ann, "send_message", { room_id: roomId, message });
  return members.find((m: { sender: string }) => m.sender === "Ann").sender_id as string;
}

describe("--stdio --channel", () => {
  test("a message another process stores reaches the client as a channel notification; wait_for_message still returns it", async () => {
    const db = tempDb();
    const { client: bob, heard } = await listening(db, ["--channel", "--as", "Bob"]);
    expect(bob.getServerCapabilities()?.experimental).toEqual({ "claude/channel": {} });
    await ok(bob, "join_room", { room_id: "lobby", display_name: "Bob" });

    const annId = await annSays(db, "lobby", "hello Bob");
    expect(await hearing(heard, 2)).toEqual([
      { content: "In lobby: Ann joined", meta: { room_id: "lobby", seq: "2", sender: "system", sender_id: "system", untrusted: "false" } },
      { content: "Ann in lobby: hello Bob", meta: { room_id: "lobby", seq: "3", sender: "Ann", sender_id: annId, untrusted: "true" } },
    ]);
    // The notification read nothing for Bob: both messages are still his to read, once.
    expect(await ok(bob, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "Ann joined" });
    expect(await ok(bob, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "hello Bob", unread: 0 });
    await Bun.sleep(100);
    expect(heard).toHaveLength(2);
  });

  test("what was unread when the client connected comes as one summary per room; a long message is cut", async () => {
    const db = tempDb();
    const before = await stdioClient(db, ["--as", "Bob"], "bob before");
    await ok(before, "join_room", { room_id: "lobby", display_name: "Bob" });
    await annSays(db, "lobby", "one", "two");

    const { heard } = await listening(db, ["--channel", "--as", "Bob"]);
    expect(await hearing(heard, 1)).toEqual([{ content: "3 unread in lobby (from Ann)", meta: { room_id: "lobby", unread: "3" } }]);

    await annSays(db, "lobby", "x".repeat(2_000));
    const [, long] = await hearing(heard, 2);
    expect(long!.content).toStartWith(`Ann in lobby: ${"x".repeat(300)}… (cut: 2000 characters in all`);
    expect(long!.content.length).toBeLessThan(400);
  });

  test("without --channel: no capability declared and no notification", async () => {
    const db = tempDb();
    const { client: bob, heard } = await listening(db, ["--as", "Bob"]);
    expect(bob.getServerCapabilities()?.experimental).toBeUndefined();
    await ok(bob, "join_room", { room_id: "lobby", display_name: "Bob" });
    await annSays(db, "lobby", "anyone?");
    await Bun.sleep(300);
    expect(heard).toEqual([]);
    expect(await ok(bob, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "Ann joined" });
  });

  test("a client that ignores the notifications, as MCP clients do with unknown ones, works on unharmed", async () => {
    const db = tempDb();
    const bob = await stdioClient(db, ["--channel", "--as", "Bob"], "bob");
    await ok(bob, "join_room", { room_id: "lobby", display_name: "Bob" });
    await annSays(db, "lobby", "ping");
    await Bun.sleep(200);
    expect(await ok(bob, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "Ann joined" });
    expect(await ok(bob, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "ping" });
  });

  test("the v2 client gets them in the 2025 era, and none on protocol revision 2026-07-28, which has no initialize", async () => {
    /** What comes over the wire to a v2 client (2025 handshake, or pinned to 2026-07-28) on the channel's method. */
    const onTheWire = async (db: string, pinned: boolean) => {
      const client = new V2Client({ name: "v2", version: "1.0.0" }, pinned ? { versionNegotiation: { mode: { pin: "2026-07-28" } } } : {});
      const transport = new V2StdioTransport({
        command: BINARY,
        args: ["--stdio", "--channel", "--as", "Bob", "--db", db],
        stderr: "pipe",
      });
      await client.connect(transport);
      opened.push(client);
      const seen: unknown[] = [];
      const deliver = transport.onmessage!;
      transport.onmessage = (message) => {
        if ("method" in message && message.method === "notifications/claude/channel") seen.push(message.params);
        deliver(message);
      };
      await ok(client, "join_room", { room_id: "lobby", display_name: "Bob" });
      return { client, seen };
    };
    const db2025 = tempDb();
    const legacy = await onTheWire(db2025, false);
    expect(protocolVersionOf(legacy.client)).toBe("2025-11-25");
    await annSays(db2025, "lobby", "hi");
    expect(await hearing(legacy.seen as Heard[], 2)).toHaveLength(2);

    const db2026 = tempDb();
    const modern = await onTheWire(db2026, true);
    expect(protocolVersionOf(modern.client)).toBe("2026-07-28");
    await annSays(db2026, "lobby", "hi");
    await Bun.sleep(300);
    expect(modern.seen).toEqual([]);
    expect(await ok(modern.client, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "Ann joined" });
  });

  test("nothing is sent before the client's notifications/initialized", async () => {
    const db = tempDb();
    const before = await stdioClient(db, ["--as", "Bob"], "bob before");
    await ok(before, "join_room", { room_id: "lobby", display_name: "Bob" });
    const child = Bun.spawn([BINARY, "--stdio", "--channel", "--as", "Bob", "--db", db], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    let out = "";
    const reading = (async () => {
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) out += chunk;
    })();
    const send = async (message: object) => {
      child.stdin.write(`${JSON.stringify(message)}\n`);
      await child.stdin.flush();
    };
    const clientInfo = { name: "raw", version: "1" };
    await send({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo } });
    await annSays(db, "lobby", "too early");
    await Bun.sleep(300);
    expect(out).toContain('"id":1');
    expect(out).not.toContain("notifications/claude/channel");

    await send({ jsonrpc: "2.0", method: "notifications/initialized" });
    const deadline = Date.now() + 5_000;
    while (!out.includes("notifications/claude/channel") && Date.now() < deadline) await Bun.sleep(10);
    expect(out).toContain('"content":"2 unread in lobby (from Ann)"');
    child.stdin.end();
    expect(await child.exited).toBe(0);
    await reading;
  });
});
