// ./scripts/release as a maintainer runs it: every platform's binary, named by version and platform,
// SHA256SUMS that verify, sizes in the expected range, and the linux-arm64 build running under qemu.
// About 15 s for the builds (Bun fetches each target's runtime from the npm registry once, then
// keeps it in its cache), a few seconds more for qemu.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import packageJson from "../package.json" with { type: "json" };
import { adHocSign, signatureProblem } from "../scripts/macho.ts";
import { fileName, PLATFORMS, sha256 } from "../scripts/release.ts";
import { withDebianPackages } from "./debian-packages.ts";
import { cleanUp, tempDir } from "./helpers.ts";

afterAll(cleanUp);

const ROOT = resolve(import.meta.dir, "..");
const MB = 1024 * 1024;
let out: string;

beforeAll(() => {
  out = tempDir();
  const run = Bun.spawnSync([join(ROOT, "scripts", "release"), "--allow-dirty", "--out", out], { cwd: ROOT });
  if (run.exitCode !== 0) throw new Error(`scripts/release failed:\n${run.stderr.toString()}`);
}, 300_000);

describe("scripts/release", () => {
  test("writes every platform's binary, install.sh and SHA256SUMS, and nothing else", () => {
    const names = PLATFORMS.map((p) => fileName(p));
    expect(names).toContain(`mcp-chat-${packageJson.version}-linux-x64`);
    expect(names).toContain(`mcp-chat-${packageJson.version}-windows-x64.exe`);
    expect(readdirSync(out).sort()).toEqual([...names, "install.sh", "SHA256SUMS"].sort());
  });

  test("SHA256SUMS holds the right hash of every file, in sha256sum's format", async () => {
    const lines = (await Bun.file(join(out, "SHA256SUMS")).text()).trimEnd().split("\n");
    expect(lines).toHaveLength(PLATFORMS.length + 1);
    for (const line of lines) {
      const [hash, name] = line.split("  ");
      expect(hash).toMatch(/^[0-9a-f]{64}$/);
      expect(await sha256(join(out, name!))).toBe(hash!);
    }
    // And the tool users have says so too.
    const check = Bun.spawnSync(["sha256sum", "--check", "--strict", "SHA256SUMS"], { cwd: out });
    expect({ exit: check.exitCode, err: check.stderr.toString() }).toEqual({ exit: 0, err: "" });
  });

  test("the linux-x64 and linux-x64-musl builds are their runtime plus 2-4 MB of mcp-chat", () => {
    const size = (platform: string) => statSync(join(out, fileName(PLATFORMS.find((p) => p.name === platform)!))).size;
    // Bun's runtime is about 100 MB; far more means something large came into the bundle.
    for (const platform of ["linux-x64", "linux-x64-musl"]) {
      expect(size(platform)).toBeGreaterThan(95 * MB);
      expect(size(platform)).toBeLessThan(112 * MB);
    }
    // Where the runtime is at hand, the part that is mcp-chat: bytecode adds about 1.4 MB to the code.
    const runtimes: Record<string, string> = {
      "linux-x64": process.platform === "linux" && process.arch === "x64" ? process.execPath : "",
      "linux-x64-musl": join(
        process.env.BUN_INSTALL_CACHE_DIR ?? join(homedir(), ".bun", "install", "cache"),
        `bun-linux-x64-musl-v${Bun.version}`,
      ),
    };
    for (const [platform, runtime] of Object.entries(runtimes)) {
      if (!runtime || !existsSync(runtime) || !statSync(runtime).isFile()) {
        console.warn(`not measured: the ${platform} runtime is not at hand (${runtime || "another host"})`);
        continue;
      }
      const own = size(platform) - statSync(runtime).size;
      // 3.7 MB with bytecode, 2.2 MB without (musl) at the 2026-12-05 merge of main.
      const [low, high] = platform === "linux-x64" ? [3 * MB, 4.5 * MB] : [1.5 * MB, 3 * MB];
      // The platform in the value names the build in a failure message.
      expect({ platform, within: own > low && own < high, own }).toEqual({ platform, within: true, own });
    }
  });

  test("the linux-x64 release runs here and says which commit it was built from", () => {
    const linux = join(out, fileName(PLATFORMS[0]!));
    const head = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: ROOT }).stdout.toString().trim();
    const version = Bun.spawnSync([linux, "--version"]).stdout.toString();
    expect(version).toMatch(new RegExp(`^mcp-chat ${packageJson.version.replaceAll(".", "\\.")}, commit ${head}(-dirty)?\n$`));
  });

  test("the macOS binaries carry a code signature macOS accepts: every page matches its hash", async () => {
    for (const platform of ["darwin-arm64", "darwin-x64"]) {
      const file = new Uint8Array(await Bun.file(join(out, fileName(PLATFORMS.find((p) => p.name === platform)!))).arrayBuffer());
      expect({ platform, problem: signatureProblem(file) }).toEqual({ platform, problem: undefined });
    }
  });

  test("the ad-hoc signer writes what Bun itself writes for darwin-arm64, byte for byte", async () => {
    // Bun signs a darwin-arm64 build itself (identifier "a.out"); signing it again must change nothing.
    const arm64 = new Uint8Array(await Bun.file(join(out, fileName(PLATFORMS.find((p) => p.name === "darwin-arm64")!))).arrayBuffer());
    expect(Buffer.from(adHocSign(arm64, "a.out")).equals(Buffer.from(arm64))).toBe(true);
    // A broken signature is found: one flipped byte in the code.
    const broken = arm64.slice();
    broken[5000] = broken[5000]! ^ 1;
    expect(signatureProblem(broken)).toMatch(/^1 of \d+ pages do not match their hashes$/);
  });

  test("the Windows binary is a 64-bit console program that carries no stale signature", async () => {
    const exe = new DataView(await Bun.file(join(out, fileName(PLATFORMS.find((p) => p.name === "windows-x64")!))).arrayBuffer());
    const optionalHeader = exe.getUint32(0x3c, true) + 24;
    const certificateTable = optionalHeader + 112 + 4 * 8; // data directory 4, in a PE32+ header
    expect({
      magic: exe.getUint16(optionalHeader, true), // PE32+
      subsystem: exe.getUint16(optionalHeader + 68, true), // IMAGE_SUBSYSTEM_WINDOWS_CUI: --stdio needs a console program
      certificateBytes: exe.getUint32(certificateTable + 4, true),
    }).toEqual({ magic: 0x20b, subsystem: 3, certificateBytes: 0 });
  });

  test("refuses a working tree with uncommitted changes unless --allow-dirty", () => {
    // An untracked file is enough; it goes again at once.
    const probe = join(ROOT, `release-test-dirty-${process.pid}.tmp`);
    writeFileSync(probe, "");
    try {
      const run = Bun.spawnSync(["bun", join(ROOT, "scripts", "release.ts"), "--out", join(tempDir(), "never")], {
        cwd: ROOT,
        env: { ...process.env, PATH: `${join(process.execPath, "..")}:${process.env.PATH}` },
      });
      expect({ exit: run.exitCode, err: run.stderr.toString() }).toEqual({
        exit: 1,
        err: expect.stringContaining("--allow-dirty"),
      });
    } finally {
      Bun.spawnSync(["rm", "-f", probe]);
    }
  });
});

/** qemu-user and an arm64 C library, installed with apt-get when missing and allowed; else why not. */
function qemuArm64(): { run: string[] } | { skip: string } {
  const sysroot = "/usr/aarch64-linux-gnu";
  const find = () => {
    const qemu = Bun.which("qemu-aarch64") ?? Bun.which("qemu-aarch64-static");
    return qemu && existsSync(join(sysroot, "lib", "ld-linux-aarch64.so.1")) ? qemu : undefined;
  };
  if (process.platform !== "linux" || process.arch !== "x64")
    return { skip: `the host is ${process.platform}-${process.arch}, not linux-x64` };
  const qemu = withDebianPackages(["qemu-user", "libc6-arm64-cross"], find);
  return typeof qemu === "string" ? { run: [qemu, "-L", sysroot] } : qemu;
}

describe("the linux-arm64 build under qemu-user", () => {
  const qemu = qemuArm64();
  if ("skip" in qemu) console.warn(`skipped the linux-arm64 tests: ${qemu.skip}`);
  const arm64 = () => join(out, fileName(PLATFORMS.find((p) => p.name === "linux-arm64")!));

  test.skipIf("skip" in qemu)("answers --version", () => {
    const run = Bun.spawnSync([...(qemu as { run: string[] }).run, arm64(), "--version"]);
    expect(run.stdout.toString()).toStartWith(`mcp-chat ${packageJson.version}, commit `);
    expect(run.exitCode).toBe(0);
  });

  test.skipIf("skip" in qemu)(
    "answers an MCP initialize over --stdio",
    async () => {
      const child = Bun.spawn([...(qemu as { run: string[] }).run, arm64(), "--stdio", "--db", join(tempDir(), "chat.db")], {
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
      });
      const initialize = {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "release-test", version: "1.0" } },
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
      expect(await child.exited).toBe(0);
      expect(JSON.parse(text.split("\n")[0]!)).toMatchObject({
        jsonrpc: "2.0",
        id: 1,
        result: { protocolVersion: "2025-11-25", serverInfo: { name: "mcp-chat", version: packageJson.version } },
      });
    },
    60_000,
  );
});
