// The build's plugins (scripts/build.ts) rewrite SDK modules: what they leave must work as the SDK
// does, and what they are for (leaving unused schemas out) must still happen with this SDK.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schemasBuiltWhenUsed, withoutAjv, withoutMcpServer } from "../../scripts/build.ts";

async function bundle(code: string, plugins = [withoutAjv, schemasBuiltWhenUsed, withoutMcpServer]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-chat-plugins-"));
  try {
    const entry = join(import.meta.dir, `.plugins-entry-${process.pid}.ts`);
    await Bun.write(entry, code);
    try {
      const result = await Bun.build({
        entrypoints: [entry],
        outdir: dir,
        target: "bun",
        format: "esm",
        minify: true,
        plugins,
      });
      if (!result.success) throw new AggregateError(result.logs, "build failed");
      return await Bun.file(join(dir, `.plugins-entry-${process.pid}.js`)).text();
    } finally {
      rmSync(entry, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function run(js: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-chat-plugins-run-"));
  try {
    await Bun.write(join(dir, "main.js"), js);
    const child = Bun.spawnSync([process.execPath, join(dir, "main.js")], { stderr: "pipe" });
    if (child.exitCode !== 0) throw new Error(child.stderr.toString());
    return child.stdout.toString().trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the SDK's guards and spec-type tables work in a bundle built with the plugins", async () => {
  const js = await bundle(`
    import { isInitializeRequest, isJSONRPCRequest, isSpecType, specTypeSchemas } from "@modelcontextprotocol/server";
    const init = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } } };
    console.log(JSON.stringify([
      isJSONRPCRequest(init), isJSONRPCRequest({ jsonrpc: "2.0" }), isInitializeRequest(init), isInitializeRequest({ ...init, method: "ping" }),
      isSpecType.Tool({ name: "t", inputSchema: { type: "object" } }), isSpecType.Tool({}),
      specTypeSchemas.OAuthTokens["~standard"].validate({ access_token: "a", token_type: "bearer" }).issues === undefined,
      Object.keys(specTypeSchemas).length > 100,
    ]));
  `);
  expect(await run(js)).toBe("[true,false,true,false,true,false,true,true]");
});

test("schemas and spec-type tables that nothing uses are left out of the bundle", async () => {
  const code = `
    import { isInitializeRequest } from "@modelcontextprotocol/server";
    console.log(isInitializeRequest({}));
  `;
  // Only the OAuth schemas name this field, and only the spec-type tables refer to those schemas.
  expect((await bundle(code, [withoutAjv])).includes("authorization_servers")).toBe(true);
  expect((await bundle(code)).includes("authorization_servers")).toBe(false);
});

test("McpServer's stand-in: a Server is no McpServer, and building one says why it cannot be", async () => {
  const js = await bundle(`
    import { McpServer, Server } from "@modelcontextprotocol/server";
    const server = new Server({ name: "s", version: "1" }, { jsonSchemaValidator: { getValidator() { throw new Error(); } } });
    let built = "built";
    try { new McpServer({ name: "s", version: "1" }); } catch (error) { built = error.message; }
    console.log(JSON.stringify([server instanceof McpServer, built]));
  `);
  expect(await run(js)).toBe('[false,"mcp-chat is built without McpServer: use Server"]');
  // registerTool is McpServer's alone.
  expect(js.includes("registerTool")).toBe(false);
});

test("the 2025 era's wire schemas, built one at a time, check a session's requests and results", async () => {
  const js = await bundle(`
    import { InMemoryTransport, Server } from "@modelcontextprotocol/server";
    const server = new Server({ name: "s", version: "1" }, { capabilities: { tools: {} }, jsonSchemaValidator: { getValidator() { throw new Error(); } } });
    server.setRequestHandler("tools/list", () => ({ tools: [{ name: "t", inputSchema: { type: "object" } }] }));
    server.setRequestHandler("tools/call", () => ({ content: [{ type: "text", text: "done" }] }));
    const [mine, theirs] = InMemoryTransport.createLinkedPair();
    const replies = [];
    theirs.onmessage = (message) => replies.push(message);
    await server.connect(mine);
    await theirs.start();
    const send = (message) => theirs.send({ jsonrpc: "2.0", ...message });
    await send({ id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "c", version: "1" } } });
    await send({ method: "notifications/initialized" });
    await send({ id: 2, method: "tools/list" });
    await send({ id: 3, method: "tools/call", params: { name: "t" } });
    await send({ id: 4, method: "tools/call", params: { name: 7 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    replies.sort((a, b) => a.id - b.id);
    console.log(JSON.stringify(replies.map((r) => r.result?.protocolVersion ?? r.result?.tools?.[0]?.name ?? r.result?.content?.[0]?.text ?? r.error?.code)));
  `);
  expect(await run(js)).toBe('["2025-06-18","t","done",-32602]');
});
