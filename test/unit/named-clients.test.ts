// X-MCP-Chat-Client: the identity named outside the transcript, per request, in both protocol eras,
// scoped to the access token's subject. The HTTP layer in process, reached with plain fetch.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Access, tokensInFile } from "../../src/http/access.ts";
import { initializeRequest, resultOf } from "../raw-http.ts";
import { routesInProcess } from "./in-process.ts";

const ANN_TOKEN = "ann-token-0123456789abcdef";
const BEN_TOKEN = "ben-token-0123456789abcdef";
const url = "http://127.0.0.1:8000/mcp";
const base = { host: "127.0.0.1:8000", "content-type": "application/json", accept: "application/json, text/event-stream" };

/** One 2026-era tools/call with the given headers; its structured result. */
async function modernCall(routes: ReturnType<typeof routesInProcess>, headers: Record<string, string>, name: string, args: object) {
  const _meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": { name: "t", version: "1" },
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  const body = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args, _meta } };
  const response = await routes.handle(
    new Request(url, {
      method: "POST",
      headers: { ...base, "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name, ...headers },
      body: JSON.stringify(body),
    }),
  );
  return resultOf(await response.text());
}

/** A 2025-era session opened with `headers`; each call may carry its own. */
async function session(routes: ReturnType<typeof routesInProcess>, headers: Record<string, string>) {
  const post = (body: object, more: Record<string, string> = {}) =>
    routes.handle(new Request(url, { method: "POST", headers: { ...base, ...headers, ...more }, body: JSON.stringify(body) }));
  const init = await post(initializeRequest());
  const sessionId = init.headers.get("mcp-session-id")!;
  await init.text();
  const inSession = { "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" };
  await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, inSession)).text();
  let id = 1;
  return async (name: string, args: object, more: Record<string, string> = {}) =>
    resultOf(
      await (
        await post({ jsonrpc: "2.0", id: ++id, method: "tools/call", params: { name, arguments: args } }, { ...inSession, ...more })
      ).text(),
    );
}

test("the header names one participant across requests and eras, and hides the client_id", async () => {
  const routes = routesInProcess();
  const ann = { "x-mcp-chat-client": "Ann" };
  const joined = await modernCall(routes, ann, "join_room", { room_id: "lobby", display_name: "Ann" });
  expect(joined.client_id).toBeUndefined();
  expect(joined.hint).toBeUndefined();
  const call = await session(routes, {});
  const again = await call("whoami", {}, ann);
  expect(again).toMatchObject({ sender: "Ann", rooms: [{ room_id: "lobby" }] });
  expect(again.sender_id).toBe(joined.members[0].sender_id);
  // Without the header the same session has no identity; a client without it sees no change.
  expect(await call("whoami", {})).toMatchObject({ code: "no_identity" });
  const plain = await modernCall(routes, {}, "join_room", { room_id: "lobby", display_name: "Bob" });
  expect(plain.client_id).toStartWith("c_");
  await routes.close();
});

test("a name that breaks the rules of display names is refused with a sentence", async () => {
  const routes = routesInProcess();
  expect(await modernCall(routes, { "x-mcp-chat-client": "System" }, "whoami", {})).toMatchObject({ code: "invalid_client_name" });
  expect(await modernCall(routes, { "x-mcp-chat-client": "x".repeat(65) }, "whoami", {})).toMatchObject({
    code: "invalid_client_name",
    error: expect.stringContaining("at most 64 characters"),
  });
  // UTF-8 on the wire, as curl sends it, is the name; bytes that are not UTF-8 are refused.
  const zoe = Buffer.from("Zoë", "utf8").toString("latin1");
  expect(await modernCall(routes, { "x-mcp-chat-client": zoe }, "join_room", { room_id: "r", display_name: "Zoë" })).toMatchObject({
    members: [{ sender: "Zoë" }],
  });
  const broken = await routes.handle(new Request(url, { method: "POST", headers: { ...base, "x-mcp-chat-client": "\u00ff" }, body: "{}" }));
  expect(broken.status).toBe(400);
  expect(await broken.text()).toContain("X-MCP-Chat-Client");
  await routes.close();
});

test("under access control, two tokens naming the same NAME are two participants", async () => {
  const routes = routesInProcess({}, { access: await Access.load([ANN_TOKEN, BEN_TOKEN]) });
  const as = (token: string) => ({ authorization: `Bearer ${token}`, "x-mcp-chat-client": "agent" });
  const first = await modernCall(routes, as(ANN_TOKEN), "join_room", { room_id: "t", display_name: "agent" });
  const second = await modernCall(routes, as(BEN_TOKEN), "join_room", { room_id: "t", display_name: "agent" });
  expect(second.members).toHaveLength(2);
  const call = await session(routes, { authorization: `Bearer ${ANN_TOKEN}` });
  expect((await call("whoami", {}, as(ANN_TOKEN))).sender_id).toBe(first.members[0].sender_id);
  await routes.close();
});

test("a token file line's names= limits the header's name too", async () => {
  const dir = mkdtempSync(join(tmpdir(), "named-clients-"));
  const file = join(dir, "tokens");
  writeFileSync(file, `${ANN_TOKEN} names=Ann\n`);
  const routes = routesInProcess({}, { access: await Access.load([], file) });
  const as = (name: string) => ({ authorization: `Bearer ${ANN_TOKEN}`, "x-mcp-chat-client": name });
  expect(await modernCall(routes, as("Bob"), "whoami", {})).toMatchObject({ code: "not_permitted" });
  expect(await modernCall(routes, as("Ann"), "whoami", {})).toMatchObject({ sender: "Ann" });
  await routes.close();
  rmSync(dir, { recursive: true });
});

test("a token file line's as= names its holder without a header; human makes them a person the loop guard yields to", async () => {
  const dir = mkdtempSync(join(tmpdir(), "named-clients-"));
  const file = join(dir, "tokens");
  writeFileSync(file, `${ANN_TOKEN} as=Ann\n${BEN_TOKEN} as=Pat human\n`);
  const routes = routesInProcess({ limits: { loopGuard: 2 } }, { access: await Access.load([], file) });
  const bearer = (token: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${token}`, ...more });
  expect(await modernCall(routes, bearer(ANN_TOKEN), "join_room", { room_id: "g", display_name: "Ann" })).not.toHaveProperty("client_id");
  // The token outranks the header: the deployment says who its holder is.
  expect(await modernCall(routes, bearer(ANN_TOKEN, { "x-mcp-chat-client": "Mallory" }), "whoami", {})).toMatchObject({ sender: "Ann" });
  await modernCall(routes, bearer(ANN_TOKEN), "send_message", { room_id: "g", message: "one" });
  await modernCall(routes, bearer(ANN_TOKEN), "send_message", { room_id: "g", message: "two" });
  expect(await modernCall(routes, bearer(ANN_TOKEN), "send_message", { room_id: "g", message: "three" })).toMatchObject({
    code: "room_paused",
  });
  await modernCall(routes, bearer(BEN_TOKEN), "join_room", { room_id: "g", display_name: "Pat" });
  expect(await modernCall(routes, bearer(BEN_TOKEN), "send_message", { room_id: "g", message: "go on" })).toMatchObject({ success: true });
  expect(await modernCall(routes, bearer(ANN_TOKEN), "send_message", { room_id: "g", message: "three" })).toMatchObject({ success: true });
  await routes.close();
  rmSync(dir, { recursive: true });
});

test("a token line's as= is held to the name rules, and unknown words are refused", () => {
  expect(tokensInFile("t1 as=Ann human rooms=a,b\n")).toEqual([{ token: "t1", grant: { as: "Ann", human: true, rooms: ["a", "b"] } }]);
  expect(() => tokensInFile("t1 as=\u202eAnn\n")).toThrow("text-direction controls");
  expect(() => tokensInFile("t1 admin\n")).toThrow('not "admin"');
});
