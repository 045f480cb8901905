// The windows-x64 build, started under Wine: --version, --stdio as a Windows client starts it, HTTP,
// and the default database under %LOCALAPPDATA%. Wine and a MinGW compiler are installed with
// apt-get when missing and allowed (root); otherwise the tests are skipped, saying why. Wine before
// 9.0 lacks one DLL Bun needs: test/windows/bcryptprimitives.c stands in for it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { buildBinary } from "../scripts/build.ts";
import { withDebianPackages } from "./debian-packages.ts";
import { cleanUp, tempDir } from "./helpers.ts";
import { postInitialize } from "./raw-http.ts";

afterAll(cleanUp);

const HERE = resolve(import.meta.dir, "windows");

/** Wine and MinGW, installed when missing and allowed; else why the tests cannot run. */
function wine(): { wine: string; gcc: string } | { skip: string } {
  const find = () => {
    const wine = ["/usr/lib/wine/wine64", Bun.which("wine64"), Bun.which("wine")].find((path) => path && existsSync(path));
    const gcc = Bun.which("x86_64-w64-mingw32-gcc");
    return wine && gcc ? { wine, gcc } : undefined;
  };
  if (process.platform !== "linux" || process.arch !== "x64")
    return { skip: `the host is ${process.platform}-${process.arch}, not linux-x64` };
  return withDebianPackages(["wine64", "gcc-mingw-w64-x86-64-win32"], find);
}

const tools = wine();
if ("skip" in tools) console.warn(`skipped the Windows tests: ${tools.skip}`);
const skip = "skip" in tools;

let prefix: string;
let exe: string;
let client: string;
let env: Record<string, string>;

/** Runs a Windows program under Wine; `args` are Windows paths and plain arguments. */
const run = (program: string, ...args: string[]) => {
  const { wine } = tools as { wine: string };
  return Bun.spawnSync([wine, program, ...args], { env, cwd: prefix });
};

beforeAll(async () => {
  if (skip) return;
  const { wine, gcc } = tools as { wine: string; gcc: string };
  prefix = tempDir();
  env = { ...(process.env as Record<string, string>), WINEPREFIX: prefix, WINEDEBUG: "-all", DISPLAY: "" };
  const out = tempDir();
  exe = join(out, "mcp-chat.exe");
  client = join(out, "stdio-client.exe");
  // The build the release ships for Windows: the same options, no bytecode (scripts/release.ts).
  await buildBinary({ target: "bun-windows-x64", outfile: exe, commit: "wine-test", bytecode: false });
  const built = await Bun.build({ entrypoints: [join(HERE, "stdio-client.ts")], compile: { target: "bun-windows-x64", outfile: client } });
  if (!built.success) throw new AggregateError(built.logs, "the stdio client did not build");
  // A new prefix: Wine makes C:\ (with %LOCALAPPDATA%) on the first start.
  Bun.spawnSync([wine, "wineboot", "--init"], { env });
  const dll = join(out, "bcryptprimitives.dll");
  const cc = Bun.spawnSync([gcc, "-shared", "-O2", "-o", dll, join(HERE, "bcryptprimitives.c")]);
  if (cc.exitCode !== 0) throw new Error(`the stand-in DLL did not build: ${cc.stderr}`);
  const system32 = join(prefix, "drive_c", "windows", "system32");
  mkdirSync(system32, { recursive: true });
  if (!existsSync(join(system32, "bcryptprimitives.dll"))) copyFileSync(dll, join(system32, "bcryptprimitives.dll"));
}, 240_000);

describe.skipIf(skip)("the windows-x64 build under Wine", () => {
  test("answers --version", () => {
    const result = run(exe, "--version");
    expect({ out: result.stdout.toString(), exit: result.exitCode }).toEqual({
      out: `mcp-chat ${packageJson.version}, commit wine-test\n`,
      exit: 0,
    });
  }, 60_000);

  test("answers initialize over --stdio as a Windows client starts it, and exits when stdin closes", () => {
    const result = run(client, exe, "--stdio", "--db", "C:\\stdio-test.db");
    const { reply, exitCode, stderr } = JSON.parse(result.stdout.toString());
    expect(JSON.parse(reply)).toMatchObject({ id: 1, result: { serverInfo: { name: "mcp-chat", version: packageJson.version } } });
    expect(exitCode).toBe(0);
    expect(stderr).toContain("database C:\\stdio-test.db");
  }, 60_000);

  test("serves HTTP, with its database in %LOCALAPPDATA%\\mcp-chat by default", async () => {
    const { wine } = tools as { wine: string };
    const server = Bun.spawn([wine, exe, "--port", "0"], { env, cwd: prefix, stdout: "pipe", stderr: "pipe" });
    try {
      const reader = server.stdout.getReader();
      let line = "";
      while (!line.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        line += new TextDecoder().decode(value);
      }
      const url = /listening on (\S+)/.exec(line)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const health = await fetch(new URL("/health", url));
      expect(await health.json()).toMatchObject({ status: "ok" });
      const init = await postInitialize(url!, {}, "wine");
      expect(init.status).toBe(200);
      expect(init.headers.get("mcp-session-id")).toBeTruthy();
      expect(await init.text()).toContain('"serverInfo":{"name":"mcp-chat"');
      // C:\users\NAME: Wine names the Windows user after the Unix one.
      const users = readdirSync(join(prefix, "drive_c", "users")).filter((name) => name !== "Public");
      const dbs = users.map((user) => join(prefix, "drive_c", "users", user, "AppData", "Local", "mcp-chat", "chat.db"));
      expect(dbs.filter((db) => existsSync(db))).toHaveLength(1);
    } finally {
      server.kill();
      await server.exited;
    }
  }, 60_000);
});
