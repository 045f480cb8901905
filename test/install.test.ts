// scripts/install.sh against a release folder on a local HTTP server, run by sh (dash on Debian:
// POSIX only). The machine is faked with a `uname` (and `getconf`, `ldd`) earlier on the PATH.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { sha256 } from "../scripts/release.ts";
import { BINARY, cleanUp, tempDir } from "./helpers.ts";

afterAll(cleanUp);

const INSTALL_SH = resolve(import.meta.dir, "..", "scripts", "install.sh");
const V = packageJson.version;

/** A release folder: the real binary as linux-x64, small stand-ins for the others. */
let release: string;
let server: ReturnType<typeof Bun.serve>;
let base: string;

/** A binary whose loader fails, in the words of musl's. */
const NO_START = "#!/bin/sh\necho 'Error loading shared library libstdc++.so.6: No such file or directory' >&2\nexit 127\n";

/** A stand-in binary: a script that answers --version like mcp-chat, naming its platform. */
const standIn = (platform: string) => `#!/bin/sh\necho "mcp-chat ${V}, stand-in for ${platform}"\n`;

async function writeSums(dir: string, overrides: Record<string, string> = {}): Promise<void> {
  const names = readdirSync(dir).filter((n) => n.startsWith("mcp-chat-"));
  const lines = await Promise.all(names.map(async (n) => `${overrides[n] ?? (await sha256(join(dir, n)))}  ${n}`));
  writeFileSync(join(dir, "SHA256SUMS"), `${lines.join("\n")}\n`);
}

beforeAll(async () => {
  release = tempDir();
  copyFileSync(BINARY, join(release, `mcp-chat-${V}-linux-x64`));
  for (const platform of ["linux-x64-musl", "linux-arm64", "darwin-x64", "darwin-arm64"]) {
    writeFileSync(join(release, `mcp-chat-${V}-${platform}`), standIn(platform));
  }
  writeFileSync(join(release, `mcp-chat-${V}-windows-x64.exe`), standIn("windows-x64"));
  await writeSums(release);
  // /broken/ serves a release whose SHA256SUMS names a file that is not there; /corrupt/ one whose
  // linux-x64 file differs from its hash; anything else missing is a 404.
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const [, folder, name] = /^\/(good|corrupt|broken|nostart)\/([^/]+)$/.exec(path) ?? [];
      if (!folder || !name) return new Response("not found", { status: 404 });
      if (folder === "broken" && name !== "SHA256SUMS") return new Response("gone", { status: 500 });
      // /nostart/: a musl build that its loader cannot start, as on an Alpine without libstdc++.
      if (folder === "nostart") {
        const hash = new Bun.CryptoHasher("sha256").update(NO_START).digest("hex");
        return new Response(name === "SHA256SUMS" ? `${hash}  mcp-chat-${V}-linux-x64-musl\n` : NO_START);
      }
      if (folder === "corrupt" && name.endsWith("-linux-x64")) {
        const bytes = new Uint8Array(await Bun.file(join(release, name)).arrayBuffer());
        bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff; // one flipped byte, as a truncated or tampered download
        return new Response(bytes);
      }
      const file = Bun.file(join(release, name));
      return (await file.exists()) ? new Response(file) : new Response("not found", { status: 404 });
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server?.stop(true));

interface Machine {
  os: string;
  cpu: string;
  /** A musl system: no `getconf GNU_LIBC_VERSION`, and `ldd --version` says musl. */
  musl?: boolean;
}

/** A folder of commands that make the script see `machine`, put first on the PATH. */
function fakeMachine({ os, cpu, musl = false }: Machine): string {
  const bin = tempDir();
  const script = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  script("uname", `case "$1" in -s) echo '${os}' ;; -m) echo '${cpu}' ;; *) echo '${os}' ;; esac`);
  if (musl) {
    script("getconf", "exit 1");
    script("ldd", "echo 'musl libc (x86_64)' >&2; exit 1");
  } else {
    script("getconf", `[ "$1" = GNU_LIBC_VERSION ] && echo 'glibc 2.36'`);
  }
  return bin;
}

async function install(args: string[], machine?: Machine, env: Record<string, string> = {}) {
  const home = tempDir();
  const path = [machine ? fakeMachine(machine) : "", "/usr/local/bin:/usr/bin:/bin"].filter(Boolean).join(":");
  const child = Bun.spawn(["sh", INSTALL_SH, ...args], {
    env: { HOME: home, PATH: path, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [exit, out, err] = await Promise.all([child.exited, new Response(child.stdout).text(), new Response(child.stderr).text()]);
  return { exit, out, err, home };
}

const linuxX64: Machine = { os: "Linux", cpu: "x86_64" };

describe("scripts/install.sh", () => {
  test("installs the build for this machine into ~/.local/bin, verified, and says how to start it", async () => {
    const { exit, out, err, home } = await install(["--base-url", `${base}/good`], linuxX64);
    expect({ exit, err }).toEqual({ exit: 0, err: `mcp-chat install: downloading mcp-chat-${V}-linux-x64 for linux-x64\n` });
    const installed = join(home, ".local", "bin", "mcp-chat");
    expect(readdirSync(join(home, ".local", "bin"))).toEqual(["mcp-chat"]); // no temporary file left
    expect(await sha256(installed)).toBe(await sha256(BINARY));
    expect(Bun.spawnSync([installed, "--version"]).stdout.toString()).toStartWith(`mcp-chat ${V}, commit `);
    expect(out).toContain(`Installed mcp-chat ${V}, commit `);
    expect(out).toContain(`is not on your PATH; add it with: export PATH="${join(home, ".local", "bin")}:$PATH"`);
    expect(out).toContain("--print-config claude-code");
  });

  test("takes the folder and the base URL from the environment too", async () => {
    const dir = join(tempDir(), "tools", "bin");
    const { exit, out } = await install([], linuxX64, { MCP_CHAT_BASE_URL: `${base}/good/`, MCP_CHAT_INSTALL_DIR: dir });
    expect(exit).toBe(0);
    expect(out).toContain(`Installed mcp-chat ${V}`);
    expect(readdirSync(dir)).toEqual(["mcp-chat"]);
  });

  test("picks the file by OS, CPU and C library", async () => {
    const cases: [Machine, string][] = [
      [{ os: "Linux", cpu: "x86_64", musl: true }, "linux-x64-musl"],
      [{ os: "Linux", cpu: "aarch64" }, "linux-arm64"],
      [{ os: "Darwin", cpu: "arm64" }, "darwin-arm64"],
      [{ os: "Darwin", cpu: "x86_64" }, "darwin-x64"],
      [{ os: "MINGW64_NT-10.0-19045", cpu: "x86_64" }, "windows-x64"],
    ];
    for (const [machine, platform] of cases) {
      const dir = tempDir();
      const { exit, out, err } = await install(["--base-url", `${base}/good`, "--dir", dir], machine);
      expect({ platform, exit, err }).toEqual({ platform, exit: 0, err: expect.stringContaining(`for ${platform}\n`) });
      const file = platform === "windows-x64" ? "mcp-chat.exe" : "mcp-chat";
      expect(readdirSync(dir)).toEqual([file]);
      expect(readFileSync(join(dir, file), "utf8")).toBe(standIn(platform));
      expect(out).toContain(`Installed mcp-chat ${V}, stand-in for ${platform} to ${join(dir, file)}`);
    }
  });

  test("refuses a file that does not match SHA256SUMS, and installs nothing", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "mcp-chat"), "the version installed before");
    const { exit, err } = await install(["--base-url", `${base}/corrupt`, "--dir", dir], linuxX64);
    expect(exit).toBe(1);
    expect(err).toContain(`mcp-chat install: checksum mismatch for mcp-chat-${V}-linux-x64: SHA256SUMS says ${await sha256(BINARY)}`);
    expect(err).toContain("nothing was installed");
    // The earlier install is untouched and no temporary file is left.
    expect(readdirSync(dir)).toEqual(["mcp-chat"]);
    expect(readFileSync(join(dir, "mcp-chat"), "utf8")).toBe("the version installed before");
  });

  test("says clearly when there is no build for the machine", async () => {
    const dir = join(tempDir(), "bin");
    const os = await install(["--base-url", `${base}/good`, "--dir", dir], { os: "FreeBSD", cpu: "amd64" });
    expect(os).toMatchObject({ exit: 1, err: expect.stringContaining("no mcp-chat build for the operating system 'FreeBSD'") });
    const cpu = await install(["--base-url", `${base}/good`, "--dir", dir], { os: "Linux", cpu: "riscv64" });
    expect(cpu).toMatchObject({ exit: 1, err: expect.stringContaining("no mcp-chat build for the CPU 'riscv64' on linux") });
    const alpineArm = await install(["--base-url", `${base}/good`, "--dir", dir], { os: "Linux", cpu: "aarch64", musl: true });
    expect(alpineArm).toMatchObject({ exit: 1, err: expect.stringContaining("no mcp-chat build for Linux on arm64 with musl") });
    const named = await install(["--base-url", `${base}/good`, "--dir", dir, "--platform", "solaris-sparc"], linuxX64);
    expect(named).toMatchObject({ exit: 1, err: expect.stringContaining("unknown platform 'solaris-sparc'") });
    expect(existsSync(dir)).toBe(false);
  });

  test("fails loudly when a download fails, and installs nothing", async () => {
    const dir = tempDir();
    const binary = await install(["--base-url", `${base}/broken`, "--dir", dir], linuxX64);
    expect(binary).toMatchObject({
      exit: 1,
      err: expect.stringContaining(`could not download ${base}/broken/mcp-chat-${V}-linux-x64; nothing was installed`),
    });
    const sums = await install(["--base-url", `${base}/nowhere`, "--dir", dir], linuxX64);
    expect(sums).toMatchObject({ exit: 1, err: expect.stringContaining(`could not download ${base}/nowhere/SHA256SUMS`) });
    // No server at all.
    const refused = await install(["--base-url", "http://127.0.0.1:9/x", "--dir", dir], linuxX64);
    expect(refused).toMatchObject({ exit: 1, err: expect.stringContaining("could not download http://127.0.0.1:9/x/SHA256SUMS") });
    expect(readdirSync(dir)).toEqual([]);
  });

  test("a build that does not start here is not installed, and the message says what is missing", async () => {
    const dir = tempDir();
    const { exit, err } = await install(["--base-url", `${base}/nostart`, "--dir", dir], { os: "Linux", cpu: "x86_64", musl: true });
    expect(exit).toBe(1);
    expect(err).toContain(`mcp-chat-${V}-linux-x64-musl does not start on this machine (on Alpine: apk add libstdc++ libgcc)`);
    expect(err).toContain("libstdc++.so.6");
    expect(readdirSync(dir)).toEqual([]);
  });

  test("refuses arguments it does not know, and options without their value", async () => {
    expect(await install(["--dir"], linuxX64)).toMatchObject({ exit: 1, err: "mcp-chat install: --dir needs a value\n" });
    expect(await install(["--yes"], linuxX64)).toMatchObject({ exit: 1, err: "mcp-chat install: unknown argument --yes (see --help)\n" });
    expect(await install(["--help"], linuxX64)).toMatchObject({ exit: 0, out: expect.stringContaining("--base-url URL") });
  });

  const shellcheck = Bun.which("shellcheck");
  if (!shellcheck) console.warn("not checked with shellcheck: it is not installed (apt-get install shellcheck)");
  test.skipIf(!shellcheck)("is POSIX sh that shellcheck finds nothing in", () => {
    const check = Bun.spawnSync([shellcheck!, "--shell=sh", INSTALL_SH]);
    expect({ exit: check.exitCode, out: check.stdout.toString() }).toEqual({ exit: 0, out: "" });
  });

  test("a release without this platform's build is an error, not a guess", async () => {
    const partial = tempDir();
    copyFileSync(join(release, `mcp-chat-${V}-darwin-arm64`), join(partial, `mcp-chat-${V}-darwin-arm64`));
    await writeSums(partial);
    const sums = await Bun.file(join(partial, "SHA256SUMS")).text();
    const local = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(sums) });
    try {
      const result = await install(["--base-url", `http://127.0.0.1:${local.port}`, "--dir", tempDir()], linuxX64);
      expect(result).toMatchObject({ exit: 1, err: expect.stringContaining("has no build for linux-x64; nothing was installed") });
    } finally {
      local.stop(true);
    }
  });
});
