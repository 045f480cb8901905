// The README's curl session, run as written against the real binary: if the block breaks, this fails.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { cleanUp, type RunningServer, startHttp, tempDb } from "./helpers.ts";

afterAll(cleanUp);

const README = resolve(import.meta.dir, "..", "README.md");
const MARKER = "<!-- curl-session: checked by test/readme-curl.test.ts -->";

/** The ```bash block on the line right after the marker. */
function curlBlock(readme: string): string {
  const lines = readme.split("\n");
  const at = lines.findIndex((line) => line.trim() === MARKER);
  if (at < 0) throw new Error(`README.md has no line ${MARKER}`);
  if (lines[at + 1]?.trim() !== "```bash") throw new Error("the line after the curl-session marker must open a ```bash block");
  const end = lines.findIndex((line, i) => i > at + 1 && line.trim() === "```");
  if (end < 0) throw new Error("the curl-session block is never closed");
  return lines.slice(at + 2, end).join("\n");
}

/** Runs the block the way a user pasting it into bash would, with MCP_URL pointing at `url`. */
async function runBlock(block: string, url: URL) {
  const child = Bun.spawn(["bash", "-euo", "pipefail", "-c", block], {
    env: { ...process.env, MCP_URL: url.href },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    timeout: 20_000,
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { stdout, stderr, code };
}

/** The JSON-RPC responses the block printed (its `data:` lines), by request id. */
function responses(stdout: string): Map<number, any> {
  const byId = new Map<number, any>();
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const response = JSON.parse(line);
    byId.set(response.id, response);
  }
  return byId;
}

/** The structuredContent of a successful tool call, failing on errors of either kind. */
function toolResult(byId: Map<number, any>, id: number): any {
  const response = byId.get(id);
  expect(response).toBeDefined();
  expect(response.error).toBeUndefined();
  expect(response.result.isError).toBeUndefined();
  return response.result.structuredContent;
}

let server: RunningServer;
let block: string;
beforeAll(async () => {
  block = curlBlock(readFileSync(README, "utf8"));
  server = await startHttp(tempDb());
});

describe("README curl session", () => {
  test("defaults to the quick-start address and lets MCP_URL override it", () => {
    // A shell default, not a template: the text is what the README's block must say.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's ${VAR:-default}, meant literally
    expect(block).toContain('MCP_URL="${MCP_URL:-http://127.0.0.1:8000/mcp}"');
    expect(block).not.toContain("jq");
  });

  test("runs as written and shows what a user should see", async () => {
    const { stdout, stderr, code } = await runBlock(block, server.url);
    if (code !== 0) throw new Error(`the README's curl block exited with ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);

    // initialize gave a session id.
    expect(stdout).toMatch(/^session: [0-9a-f-]{36}$/m);

    const byId = responses(stdout);
    // (No asymmetric matchers inside toMatchObject: Bun 1.4.5 writes them into the received object.)
    const joined = toolResult(byId, 2);
    expect(joined.room_id).toBe("curl-demo");
    expect(joined.client_id).toMatch(/^c_/);
    expect(joined.members).toHaveLength(1);
    const me = joined.members[0].sender_id;

    const sent = toolResult(byId, 3);
    expect(sent.success).toBe(true);
    expect(sent.seq).toBeInteger();
    expect(Date.parse(sent.sent_at)).not.toBeNaN();

    const history = toolResult(byId, 4);
    expect(history.has_more).toBe(false);
    const mine = history.messages.find((m: { seq: number }) => m.seq === sent.seq);
    expect(mine).toMatchObject({ sender_id: me, message: "Hello from curl!" });
    expect(block).toContain(`"message":"${mine.message}"`);

    expect(stdout.trimEnd().endsWith("session closed")).toBe(true);
  });

  test("stops at the first failed request instead of printing on", async () => {
    const { stdout, code } = await runBlock(block, new URL("/not-mcp", server.url));
    expect(code).not.toBe(0);
    expect(stdout).not.toContain("session closed");
  });
});
