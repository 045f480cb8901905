// For test/windows.test.ts: compiled for Windows and run under Wine, it starts mcp-chat.exe the way
// a Windows MCP client does (Windows pipes on stdin and stdout), sends initialize, prints the first
// line of the answer and the exit code. Unix pipes handed through Wine do not work as a Windows
// program's stdin, so the test cannot talk to the .exe directly.
export {}; // a module, for its top-level await

const [exe, ...args] = process.argv.slice(2);
const child = Bun.spawn([exe!, ...args], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "windows-test", version: "1.0" } },
};
child.stdin.write(`${JSON.stringify(initialize)}\n`);
await child.stdin.flush();
const reader = child.stdout.getReader();
let text = "";
while (!text.includes("\n")) {
  const { value, done } = await reader.read();
  if (done) break;
  text += new TextDecoder().decode(value);
}
child.stdin.end();
const exitCode = await child.exited;
console.log(JSON.stringify({ reply: text.split("\n")[0], exitCode, stderr: await new Response(child.stderr).text() }));
