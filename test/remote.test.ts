// `mcp-chat --stdio --remote URL`: a stdio client talks to a remote server over HTTP, with its
// token, in either protocol era: the whole conversation, a blocked wait included.
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { type ClientKind, call, cleanUp, elapsed, ok, startHttp, stdioClient, tempDb } from "./helpers.ts";

afterAll(cleanUp);

const TOKEN = "remote-token-0123456789abcdef";

for (const kind of ["v1 client", "v2 client, automatic negotiation"] as ClientKind[]) {
  test(`a stdio ${kind} holds a conversation with a remote server through --remote`, async () => {
    const server = await startHttp(tempDb(), ["--token", TOKEN]);
    const unused = tempDb();
    const relayed = (name: string) => stdioClient(unused, ["--remote", server.url.href, "--token", TOKEN], name, kind);
    const ann = await relayed("ann");
    const ben = await relayed("ben");
    const annJoined = await ok(ann, "join_room", { room_id: "remote", display_name: "Ann" });
    const benJoined = await ok(ben, "join_room", { room_id: "remote", display_name: "Ben" });
    const benWaits = elapsed(ok(ben, "wait_for_message", { room_id: "remote", client_id: benJoined.client_id, timeout: 20 }));
    await Bun.sleep(300);
    await ok(ann, "send_message", { room_id: "remote", client_id: annJoined.client_id, message: "over the bridge" });
    const [got, ms] = await benWaits;
    expect(got).toMatchObject({ message: "over the bridge", sender: "Ann" });
    expect(ms).toBeGreaterThan(250);
    expect(await call(ann, "whoami", { client_id: "c_nobody-at-all" })).toMatchObject({ isError: true, data: { code: "unknown_client" } });
    // The relay keeps no database of its own.
    expect(existsSync(unused)).toBe(false);
  });
}

test("a relay with a wrong token cannot connect, and says why", async () => {
  const server = await startHttp(tempDb(), ["--token", TOKEN]);
  const refused = stdioClient(tempDb(), ["--remote", server.url.href, "--token", "not-the-token-0123456789"], "stranger");
  await expect(refused).rejects.toThrow(/Unauthorized|token/);
});

test("--as NAME with --remote is the named identity on the remote server (X-MCP-Chat-Client), scoped to the token", async () => {
  const server = await startHttp(tempDb(), ["--token", TOKEN]);
  const relayedAs = (name: string) => stdioClient(tempDb(), ["--remote", server.url.href, "--token", TOKEN, "--as", name], name);
  const first = await relayedAs("Planner");
  const joined = await ok(first, "join_room", { room_id: "named", display_name: "Planner" });
  expect(joined.client_id).toBeUndefined();
  await first.close();
  // A restarted relay with the name is the same participant, with no client_id to remember.
  const again = await relayedAs("Planner");
  const me = await ok(again, "whoami");
  expect(me).toMatchObject({ sender: "Planner", rooms: [{ room_id: "named" }] });
  expect(me.sender_id).toBe(joined.members[0].sender_id);
});
