// The SDK floor: the least a server on mcp-chat's stack can be. Bun.serve, and for the 2025 era
// per session one WebStandardStreamableHTTPServerTransport (SSE responses, no event store) and one
// low-level SDK Server, for the 2026 era the SDK's createMcpHandler (a Server per request, SSE
// responses), with the chat tools the load generators call kept in memory: no storage, no guards,
// no argument schemas, no progress or cancellation. What mcp-chat costs above this is ours; what this
// costs above bare-server.ts is the SDK's HTTP path, which nothing in mcp-chat can take away.
// Results are shaped like mcp-chat's (structuredContent and the same JSON as text):
//   join_room, enter_queue (pairs two callers), send_message, wait_for_message (the caller's oldest
//   untaken message in the room, blocking until one comes or the timeout), get_messages (only the
//   room's last message) and whoami (only the caller's blocked calls). A session remembers the
//   identity of its last join_room or enter_queue; one id is both a participant's client_id and its
//   public id. GET /health counts the blocked calls.
// Run: bun scripts/bench/sdk-floor-server.ts  (prints "sdk-floor listening on URL", stops on SIGTERM or after 10 min).
// With --stdio it serves one client over stdin and stdout instead, until stdin ends.
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { serveStdio } from "../../src/stdio.ts";

type Result = Record<string, unknown>;
interface Participant {
  id: string;
  name: string;
  /** Its calls blocked right now. */
  waiting: number;
}
/** A type, not an interface: it is returned as a tool's structuredContent. */
type Message = { message: string; sender: string; sender_id: string; timestamp: string; seq: number; unread: 0 };
/** A member's side of a room: the messages it has not taken, and its blocked waits. */
interface Box {
  untaken: Message[];
  waits: ((message: Message) => void)[];
}
interface Room {
  seq: number;
  last?: Message;
  boxes: Map<string, Box>;
}

const participants = new Map<string, Participant>();
const rooms = new Map<string, Room>();
let queued: { who: Participant; settle: (result: Result) => void } | undefined;
let held = 0;

function roomOf(id: string): Room {
  let room = rooms.get(id);
  if (!room) rooms.set(id, (room = { seq: 0, boxes: new Map() }));
  return room;
}

/** Joins the room if need be. */
function boxOf(room: Room, who: Participant): Box {
  let box = room.boxes.get(who.id);
  if (!box) room.boxes.set(who.id, (box = { untaken: [], waits: [] }));
  return box;
}

/** A blocked call: `settle` answers it, else `timedOut` does after `seconds`. */
function block(who: Participant, seconds: number, timedOut: () => Result) {
  held++;
  who.waiting++;
  let settle!: (result: Result) => void;
  const promise = new Promise<Result>((resolve) => {
    const timer = setTimeout(() => settle(timedOut()), seconds * 1000);
    settle = (result) => {
      clearTimeout(timer);
      held--;
      who.waiting--;
      resolve(result);
    };
  });
  return { promise, settle };
}

function enterQueue(me: Participant, seconds: number): Result | Promise<Result> {
  const matched = (who: Participant, partner: Participant, room: Room, roomId: string) => {
    boxOf(room, who);
    return { status: "matched", room_id: roomId, partner: partner.name, partner_id: partner.id, client_id: who.id };
  };
  if (queued && queued.who !== me) {
    const partner = queued;
    queued = undefined;
    const roomId = crypto.randomUUID();
    const room = roomOf(roomId);
    partner.settle(matched(partner.who, me, room, roomId));
    return matched(me, partner.who, room, roomId);
  }
  const entry = {
    who: me,
    ...block(me, seconds, () => {
      if (queued === entry) queued = undefined;
      return { status: "waiting", position: 1, queue_length: 1, client_id: me.id };
    }),
  };
  queued = entry;
  return entry.promise;
}

function send(room: Room, from: Participant, text: string): number {
  const message: Message = {
    message: text,
    sender: from.name,
    sender_id: from.id,
    timestamp: new Date().toISOString(),
    seq: ++room.seq,
    unread: 0,
  };
  room.last = message;
  for (const [id, box] of room.boxes) {
    if (id === from.id) continue;
    const wake = box.waits.shift();
    if (wake) wake(message);
    else box.untaken.push(message);
  }
  return message.seq;
}

function waitFor(room: Room, me: Participant, afterSeq: number, seconds: number): Result | Promise<Result> {
  const box = boxOf(room, me);
  while (box.untaken[0] && box.untaken[0].seq <= afterSeq) box.untaken.shift();
  const next = box.untaken.shift();
  if (next) return next;
  const { promise, settle } = block(me, seconds, () => {
    box.waits.splice(box.waits.indexOf(settle), 1);
    return { timeout: true, message: "No message received", seq: room.seq };
  });
  box.waits.push(settle);
  return promise;
}

/** The caller: the client_id given, else the session's, else a new participant. */
function callerOf(session: { clientId?: string }, args: Result): Participant {
  const id = typeof args.client_id === "string" ? args.client_id : (session.clientId ?? crypto.randomUUID());
  let who = participants.get(id);
  if (!who) participants.set(id, (who = { id, name: String(args.display_name ?? "?"), waiting: 0 }));
  return who;
}

async function callTool(name: string, args: Result, session: { clientId?: string }): Promise<Result> {
  const me = callerOf(session, args);
  const room = () => roomOf(String(args.room_id));
  const seconds = Number(args.timeout ?? 30);
  switch (name) {
    case "join_room":
      session.clientId = me.id;
      boxOf(room(), me);
      return { room_id: args.room_id, client_id: me.id, members: [] };
    case "enter_queue":
      session.clientId = me.id;
      return enterQueue(me, seconds);
    case "send_message":
      return { success: true, seq: send(room(), me, String(args.message)) };
    case "wait_for_message":
      return waitFor(room(), me, Number(args.after_seq ?? 0), seconds);
    case "get_messages": {
      const last = room().last;
      return { messages: last ? [last] : [], has_more: false };
    }
    case "whoami":
      return { sender: me.name, sender_id: me.id, waiting_calls: me.waiting };
  }
  throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Unknown tool "${name}"`);
}

const TOOLS = ["join_room", "enter_queue", "send_message", "wait_for_message", "get_messages", "whoami"].map((name) => ({
  name,
  inputSchema: { type: "object" as const },
}));
/** As in mcp-chat (src/mcp-server.ts): no JSON Schema is ever checked, so no Ajv per Server. */
const jsonSchemaValidator = {
  getValidator(): never {
    throw new Error("the SDK floor checks no JSON Schema");
  },
};
const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();

/** A low-level Server with the tools; `session` is what a 2025 session remembers (a 2026 request has its own). */
function newServer(session: { clientId?: string } = {}): Server {
  const server = new Server({ name: "sdk-floor", version: "1" }, { capabilities: { tools: {} }, jsonSchemaValidator });
  server.setRequestHandler("tools/list", () => ({ tools: TOOLS }));
  server.setRequestHandler("tools/call", async ({ params }) => {
    const value = await callTool(params.name, params.arguments ?? {}, session);
    return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
  });
  return server;
}

async function openSession(): Promise<WebStandardStreamableHTTPServerTransport> {
  const server = newServer();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => crypto.randomUUID(),
    onsessioninitialized: (id) => void sessions.set(id, transport),
    onsessionclosed: (id) => void sessions.delete(id),
  });
  await server.connect(transport);
  return transport;
}

/** Serves HTTP on a free port of 127.0.0.1, and says where. */
function serveHttp(): void {
  const modern = createMcpHandler(() => newServer(), { legacy: "reject", responseMode: "sse" });
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    routes: {
      "/health": () => Response.json({ status: "ok", waiting: held }),
      "/mcp": async (request) => {
        const body: unknown = request.method === "POST" ? await request.json() : undefined;
        const id = request.headers.get("mcp-session-id");
        if (!id && request.method === "POST" && !(await isLegacyRequest(request, body))) return modern.fetch(request, { parsedBody: body });
        const transport = id ? sessions.get(id) : isInitializeRequest(body) ? await openSession() : undefined;
        if (!transport) {
          const error = { code: -32001, message: id ? "Session not found" : "Send initialize first" };
          return Response.json({ jsonrpc: "2.0", error, id: null }, { status: id ? 404 : 400 });
        }
        return transport.handleRequest(request, { parsedBody: body });
      },
    },
    fetch: () => new Response("not found", { status: 404 }),
  });
  console.log(`sdk-floor listening on ${new URL("/mcp", server.url)}`);
}

if (process.argv.includes("--stdio")) {
  // The SDK's serveStdio (both eras) on mcp-chat's own transport, Bun's stdin and stdout: the
  // lightest stdio there is, so that what --stdio costs above it is the rest of mcp-chat.
  void serveStdio(() => newServer()).closed.then(() => process.exit(0));
} else {
  serveHttp();
}
process.on("SIGTERM", () => process.exit(0));
setTimeout(() => process.exit(0), 600_000); // a bound, should the benchmark forget to stop it
