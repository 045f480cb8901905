// Agents living in the chat, through the binary: `mcp-chat peek` (also as a client's hook), `say`
// and `tail` on a local file and against a server, and the identity HTTP clients name in the
// header X-MCP-Chat-Client, in both protocol eras and under access tokens.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { BINARY, type ClientKind, cleanUp, httpClient, ok, type RunningServer, startHttp, stdioClient, tempDb } from "./helpers.ts";

afterAll(cleanUp);

const ANN_TOKEN = "ann-token-0123456789abcdef";
const BEN_TOKEN = "ben-token-0123456789abcdef";

/** Runs `mcp-chat ARGS` to its end, with no MCP_CHAT_* variables of the test's environment. */
async function run(args: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn([BINARY, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, out, err };
}

/** `mcp-chat tail ...` running: its lines as they come, and a stop by signal that gives its exit code. */
function startTail(args: string[]) {
  const child = Bun.spawn([BINARY, "tail", ...args], { stdout: "pipe", stderr: "pipe" });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  return {
    async nextLines(count: number): Promise<string[]> {
      while (seen.split("\n").length <= count) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`tail ended: ${await new Response(child.stderr).text()}`);
        seen += value;
      }
      const lines = seen.split("\n");
      seen = lines.slice(count).join("\n");
      return lines.slice(0, count);
    },
    async stop(signal: "SIGINT" | "SIGTERM"): Promise<number> {
      child.kill(signal);
      return child.exited;
    },
  };
}

/** Whether the database file marks the participant of that display name as a person. */
function isHuman(dbPath: string, name: string): boolean {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.query("SELECT is_human FROM participants WHERE display_name = ?").get(name) as { is_human: number }).is_human === 1;
  } finally {
    db.close();
  }
}

const reachOf = (where: { db: string } | { server: RunningServer; token?: string }) =>
  "db" in where ? ["--db", where.db] : ["--remote", where.server.url.href, ...(where.token ? ["--token", where.token] : [])];

describe("peek", () => {
  test("prints the unread line, never moves the cursor, and prints nothing once the message is read", async () => {
    const db = tempDb();
    await run(["say", "lobby", "hi all", "--as", "Ann", "--db", db]);
    await run(["say", "lobby", "news for Ann", "--as", "Bob", "--db", db]);
    for (let i = 0; i < 2; i++) {
      expect(await run(["peek", "--as", "Ann", "--db", db])).toEqual({ code: 0, out: "2 unread in lobby from Bob\n", err: "" });
    }
    // A wait after the peeks still gets the messages: peek moved no cursor.
    const ann = await stdioClient(db, ["--as", "Ann"]);
    expect(await ok(ann, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "Bob joined", unread: 1 });
    expect(await ok(ann, "wait_for_message", { room_id: "lobby", timeout: 0 })).toMatchObject({ message: "news for Ann", sender: "Bob" });
    expect(await run(["peek", "--as", "Ann", "--db", db])).toEqual({ code: 0, out: "", err: "" });
  });

  test("--hook prints the JSON that wakes each client's agent, and nothing without news", async () => {
    const db = tempDb();
    await run(["say", "ops", "watching", "--as", "Ann", "--db", db]);
    expect(await run(["peek", "--as", "Ann", "--hook", "claude", "--db", db])).toEqual({ code: 0, out: "", err: "" });
    await run(["say", "ops", "deploy is red", "--as", "Bob", "--db", db]);
    const reason = expect.stringContaining("2 unread in ops from Bob");
    for (const [hook, decision] of [
      ["claude", "block"],
      ["codex", "block"],
      ["gemini", "deny"],
    ]) {
      const { code, out } = await run(["peek", "--as", "Ann", "--hook", hook!, "--db", db]);
      expect(code).toBe(0);
      expect(JSON.parse(out)).toEqual({ decision, reason });
    }
  });

  test("a client_id from MCP_CHAT_CLIENT_ID works too; a missing database or identity is a clear error", async () => {
    const db = tempDb();
    const web = await stdioClient(db);
    const joined = await ok(web, "join_room", { room_id: "desk", display_name: "Web" });
    await run(["say", "desk", "ping", "--as", "Bob", "--db", db]);
    expect((await run(["peek", "--db", db], { MCP_CHAT_CLIENT_ID: joined.client_id })).out).toBe("2 unread in desk from Bob\n");
    const missing = await run(["peek", "--as", "Ann", "--db", `${db}.typo`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no chat database");
    const nobody = await run(["peek", "--db", db]);
    expect(nobody.code).toBe(2);
    expect(nobody.err).toContain("--as NAME");
  });
});

for (const where of ["a local file", "a server over HTTP"] as const) {
  describe(`say and tail on ${where}`, () => {
    test("say prints the seq; tail prints each new message until SIGINT or SIGTERM, then exits 0", async () => {
      const db = tempDb();
      const reach =
        where === "a local file" ? reachOf({ db }) : reachOf({ server: await startHttp(db, ["--token", ANN_TOKEN]), token: ANN_TOKEN });
      expect(await run(["say", "den", "first", "--as", "Ann", ...reach])).toEqual({ code: 0, out: "2\n", err: "" });
      const tail = startTail(["den", "--as", "Ann", ...reach]);
      await Bun.sleep(300);
      expect((await run(["say", "den", "hello Ann", "--as", "Bob", ...reach])).out).toBe("4\n");
      expect(await tail.nextLines(2)).toEqual([
        expect.stringMatching(/^\d\d:\d\d:\d\d system: Bob joined$/),
        expect.stringMatching(/^\d\d:\d\d:\d\d Bob: hello Ann$/),
      ]);
      await run(["say", "den", "still there?", "--as", "Bob", ...reach]);
      expect(await tail.nextLines(1)).toEqual([expect.stringMatching(/ Bob: still there\?$/)]);
      expect(await tail.stop(where === "a local file" ? "SIGINT" : "SIGTERM")).toBe(0);
      // On the file, say and tail are a person at the keyboard; over HTTP nothing proves one.
      expect(isHuman(db, "Ann")).toBe(where === "a local file");
    });
  });
}

describe("X-MCP-Chat-Client", () => {
  const named = (name: string, token?: string) => ({ "x-mcp-chat-client": name, ...(token ? { authorization: `Bearer ${token}` } : {}) });
  const eras: ClientKind[] = ["v1 client", "v2 client, pinned to 2026-07-28"];

  test("names one participant across requests, in both eras, and keeps the client_id out of results", async () => {
    const server = await startHttp(tempDb());
    const [old, modern] = await Promise.all(eras.map((kind) => httpClient(server, "agent", kind, named("Planner"))));
    const joined = await ok(modern!, "join_room", { room_id: "plan", display_name: "Planner" });
    expect(joined).not.toHaveProperty("client_id");
    expect(joined).not.toHaveProperty("hint");
    const fromOld = await ok(old!, "whoami");
    expect(fromOld).toMatchObject({ sender: "Planner", rooms: [{ room_id: "plan" }] });
    expect(fromOld.sender_id).toBe(joined.members[0].sender_id);
    // peek --remote names the same identity.
    await run(["say", "plan", "step one", "--as", "Builder", "--remote", server.url.href]);
    expect((await run(["peek", "--as", "Planner", "--remote", server.url.href])).out).toBe("2 unread in plan from Builder\n");
    // A client without the header sees no change.
    const plain = await httpClient(server, "plain", "v2 client, pinned to 2026-07-28");
    expect((await ok(plain, "join_room", { room_id: "plan", display_name: "Plain" })).client_id).toStartWith("c_");
  });

  test("two access tokens naming the same NAME are two participants; a bad name gets a sentence", async () => {
    const server = await startHttp(tempDb(), ["--token", `${ANN_TOKEN},${BEN_TOKEN}`]);
    const ann = await httpClient(server, "ann", "v2 client, pinned to 2026-07-28", named("agent", ANN_TOKEN));
    const ben = await httpClient(server, "ben", "v1 client", named("agent", BEN_TOKEN));
    await ok(ann, "join_room", { room_id: "shared", display_name: "agent" });
    const both = await ok(ben, "join_room", { room_id: "shared", display_name: "agent" });
    expect(both.members).toHaveLength(2);
    expect(new Set(both.members.map((m: { sender_id: string }) => m.sender_id)).size).toBe(2);
    // Ben's agent joined and wrote: only Ann's agent has news, and only under Ann's token.
    await ok(ben, "send_message", { room_id: "shared", message: "from Ben's agent" });
    const peekAs = (token: string) => run(["peek", "--as", "agent", "--remote", server.url.href, "--token", token]);
    expect((await peekAs(ANN_TOKEN)).out).toBe("2 unread in shared from agent\n");
    expect((await peekAs(BEN_TOKEN)).out).toBe("");
    // Without a token the server accepts, nobody peeks (nor says, nor tails).
    const stranger = await peekAs("not-a-token-we-know-0123");
    expect(stranger.code).toBe(1);
    expect(stranger.err).toContain("Unauthorized");
    const system = await run(["peek", "--as", "System", "--remote", server.url.href, "--token", ANN_TOKEN]);
    expect(system.code).toBe(1);
    expect(system.err).toContain("(invalid_client_name)");
  });
});
