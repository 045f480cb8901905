// Both protocol eras on one binary: the whole conversation over HTTP and over stdio with every
// kind of client users have. The 2026 era has no session, so every call names its caller; the
// conversation passes client_id throughout, as the tool descriptions tell models to.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  CLIENT_KINDS,
  type ClientKind,
  call,
  cleanUp,
  elapsed,
  httpClient,
  ok,
  protocolVersionOf,
  type RunningServer,
  startHttp,
  stdioClient,
  tempDb,
} from "./helpers.ts";
import type { Client } from "./tool-calls.ts";

afterAll(cleanUp);

let server: RunningServer;
let stdioDb: string;
beforeAll(async () => {
  server = await startHttp(tempDb(), ["--max-wait", "30"]);
  stdioDb = tempDb();
});

const transports = {
  HTTP: (kind: ClientKind, name: string) => httpClient(server, name, kind),
  stdio: (kind: ClientKind, name: string) => stdioClient(stdioDb, [], name, kind),
};

for (const [transportName, connect] of Object.entries(transports)) {
  for (const [kind, { era }] of Object.entries(CLIENT_KINDS) as [ClientKind, { era: string }][]) {
    describe(`${transportName}, ${kind}`, () => {
      test(`lands on the ${era} era and holds the whole conversation`, async () => {
        const tag = `${transportName}-${kind}`.replace(/[^A-Za-z0-9]+/g, "-");
        const alice = await connect(kind, "alice");
        const bob = await connect(kind, "bob");
        const version = protocolVersionOf(alice);
        if (version !== undefined) expect(version.startsWith(era)).toBe(true);

        // The queue pairs them: enter_queue blocks until a partner comes.
        const aliceQueued = ok(alice, "enter_queue", { display_name: `Alice ${tag}`.slice(0, 64), timeout: 10 });
        await Bun.sleep(100);
        const bobMatch = await ok(bob, "enter_queue", { display_name: `Bob ${tag}`.slice(0, 64), timeout: 10 });
        const aliceMatch = await aliceQueued;
        const roomId = bobMatch.room_id;
        expect(aliceMatch).toMatchObject({ status: "matched", room_id: roomId });
        const as = (match: { client_id: string }) => ({ room_id: roomId, client_id: match.client_id });

        // A blocked wait is woken by the partner's send.
        const bobWaits = elapsed(ok(bob, "wait_for_message", { ...as(bobMatch), timeout: 20 }));
        await Bun.sleep(200);
        await ok(alice, "send_message", { ...as(aliceMatch), message: "hello" });
        const [got, ms] = await bobWaits;
        expect(got).toMatchObject({ message: "hello", seq: 1 });
        expect(ms).toBeLessThan(5_000);

        const history = await ok(bob, "get_messages", as(bobMatch));
        expect(history.messages.map((m: { message: string }) => m.message)).toEqual(["hello"]);

        await ok(alice, "leave_chat", as(aliceMatch));
        const afterLeave = await call(bob, "send_message", { ...as(bobMatch), message: "still there?" });
        expect(afterLeave).toMatchObject({ isError: true, data: { code: "partner_left" } });

        // A group room of three.
        const room = `group-${tag}`.slice(0, 64);
        const carol = await connect(kind, "carol");
        const joined = [] as { client_id: string }[];
        for (const [client, name] of [
          [alice, "Alice"],
          [bob, "Bob"],
          [carol, "Carol"],
        ] as [Client, string][]) {
          joined.push(await ok(client, "join_room", { room_id: room, display_name: name }));
        }
        await ok(carol, "send_message", { room_id: room, client_id: joined[2]!.client_id, message: "hi all" });
        for (const [i, client] of [alice, bob].entries()) {
          const seen = await ok(client, "get_messages", { room_id: room, client_id: joined[i]!.client_id });
          expect(seen.messages.at(-1)).toMatchObject({ message: "hi all", sender: "Carol" });
        }
      });
    });
  }
}

describe("the 2026 era has no session", () => {
  test("over HTTP, a call without client_id says what to pass and where it came from", async () => {
    const client = await httpClient(server, "forgetful", "v2 client, automatic negotiation");
    await ok(client, "join_room", { room_id: "forgetful", display_name: "Forgetful" });
    const reply = await call(client, "send_message", { room_id: "forgetful", message: "hi" });
    expect(reply).toMatchObject({ isError: true, data: { code: "no_identity" } });
    expect(reply.data.error).toContain("client_id");
    expect(reply.data.error).toContain("enter_queue or join_room");
  });

  test("a 2025-era HTTP session, and a stdio process in either era, remember their participant", async () => {
    for (const client of [
      await httpClient(server, "remembered", "v2 client, default"),
      await stdioClient(stdioDb, [], "remembered", "v2 client, automatic negotiation"),
    ]) {
      await ok(client, "join_room", { room_id: "remembered", display_name: "Remembered" });
      expect(await ok(client, "send_message", { room_id: "remembered", message: "hi" })).toMatchObject({ success: true });
    }
  });
});
