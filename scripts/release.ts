// The build behind scripts/release: dist/mcp-chat for every platform we ship, named by version and
// platform, with SHA256SUMS and the install script beside them. docs/INSTALL.md tells the user's side.
//
//   bun scripts/release.ts [--allow-dirty] [--out DIR]
//
// The same build as scripts/build (scripts/build.ts's buildBinary) for each Bun compile target.
import { chmodSync, copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Build } from "bun";
import { version } from "../package.json" with { type: "json" };
import { buildBinary, sourceCommit, treeIsDirty } from "./build.ts";
import { adHocSign, signatureProblem } from "./macho.ts";

export interface Platform {
  /** What the file name and scripts/install.sh call it: `linux-x64-musl`. */
  name: string;
  target: Build.CompileTarget;
  /** `.exe` on Windows. */
  suffix: string;
  /**
   * Whether the binary carries the code's bytecode. Bun builds it for every target, but bytecode made
   * here has crashed binaries at start on other systems (oven-sh/bun#18416 for Windows, #24144 for
   * musl). So only where the suite runs the binary: linux-x64 here, linux-arm64 under qemu
   * (test/release.test.ts). Elsewhere the first initialize comes about 30 ms later (docs/INSTALL.md).
   */
  bytecode: boolean;
}

/** Every platform a release carries. scripts/install.sh picks among the same names. */
export const PLATFORMS: Platform[] = [
  { name: "linux-x64", target: "bun-linux-x64", suffix: "", bytecode: true },
  { name: "linux-x64-musl", target: "bun-linux-x64-musl", suffix: "", bytecode: false },
  { name: "linux-arm64", target: "bun-linux-arm64", suffix: "", bytecode: true },
  { name: "darwin-x64", target: "bun-darwin-x64", suffix: "", bytecode: false },
  { name: "darwin-arm64", target: "bun-darwin-arm64", suffix: "", bytecode: false },
  { name: "windows-x64", target: "bun-windows-x64", suffix: ".exe", bytecode: false },
];

/** `mcp-chat-0.1.0-linux-x64`, `mcp-chat-0.1.0-windows-x64.exe`. */
export const fileName = (platform: Platform, v: string = version): string => `mcp-chat-${v}-${platform.name}${platform.suffix}`;

export const ROOT = join(import.meta.dir, "..");
export const DEFAULT_OUT = join(ROOT, "dist", "release");

/** The SHA-256 of a file, in hex. */
export async function sha256(path: string): Promise<string> {
  const hasher = new Bun.CryptoHasher("sha256");
  const reader = Bun.file(path).stream().getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) hasher.update(chunk.value);
  return hasher.digest("hex");
}

/** Re-signs a macOS binary whose signature macOS would refuse (scripts/macho.ts says why it happens). */
async function signForMacOS(path: string): Promise<void> {
  const file = new Uint8Array(await Bun.file(path).arrayBuffer());
  const problem = signatureProblem(file);
  if (problem === undefined) return;
  const signed = adHocSign(file, "mcp-chat");
  const still = signatureProblem(signed);
  if (still !== undefined) throw new Error(`${path}: re-signing left the signature broken: ${still}`);
  await Bun.write(path, signed);
  chmodSync(path, 0o755);
  console.error(`re-signed ${path} ad hoc: ${problem}`);
}

/** Builds every platform into `out` (emptied first); returns the files written, SHA256SUMS last. */
export async function release(out: string, commit: string): Promise<string[]> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files: string[] = [];
  // One at a time: each build holds a runtime of about 100 MB in memory while it writes.
  for (const platform of PLATFORMS) {
    const started = performance.now();
    const outfile = join(out, fileName(platform));
    await buildBinary({ target: platform.target, outfile, commit, bytecode: platform.bytecode });
    if (platform.name.startsWith("darwin-")) await signForMacOS(outfile);
    files.push(fileName(platform));
    console.error(`built ${fileName(platform)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  // The one-line install fetches the script from the same place as the binaries.
  copyFileSync(join(ROOT, "scripts", "install.sh"), join(out, "install.sh"));
  files.push("install.sh");
  // The format of sha256sum: `sha256sum -c SHA256SUMS` checks them all.
  const lines = await Promise.all(files.map(async (file) => `${await sha256(join(out, file))}  ${file}`));
  await Bun.write(join(out, "SHA256SUMS"), `${lines.join("\n")}\n`);
  return [...files, "SHA256SUMS"];
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const usage = "usage: scripts/release [--allow-dirty] [--out DIR]   (docs/INSTALL.md, Making a release)";
  if (args.includes("--help") || args.includes("-h")) {
    console.log(usage);
    process.exit(0);
  }
  const allowDirty = args.includes("--allow-dirty");
  const outAt = args.indexOf("--out");
  const out = outAt >= 0 ? args[outAt + 1] : DEFAULT_OUT;
  const unknown = args.filter((a, i) => a !== "--allow-dirty" && !(outAt >= 0 && (i === outAt || i === outAt + 1)));
  if (out === undefined || unknown.length > 0) {
    console.error(usage);
    process.exit(2);
  }
  if (treeIsDirty() && !allowDirty) {
    console.error(
      "release: the working tree has uncommitted changes (git status), so no commit names what would be built.\n" +
        "Commit or stash them, or pass --allow-dirty (the binaries' --version then says <commit>-dirty).",
    );
    process.exit(1);
  }
  try {
    await release(out, sourceCommit());
  } catch (error) {
    for (const message of (error as AggregateError).errors ?? [error]) console.error(message);
    process.exit(1);
  }
  console.error(`release ${version} in ${out}`);
}
