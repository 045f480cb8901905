// The code signature of a macOS (Mach-O, 64-bit) executable: checked the way the kernel checks it,
// and an ad-hoc one written when it fails. macOS kills a process whose signed pages do not match
// their hashes (on Apple silicon it runs nothing unsigned at all).
//
// Why: Bun 1.4.5 writes a fresh ad-hoc signature into a darwin-arm64 build, but a darwin-x64 build
// keeps the runtime's own Developer ID signature, made for the runtime before mcp-chat was appended:
// its hashes no longer match, and 278 KB lie past what it covers. scripts/release.ts re-signs such a
// file the way Bun signs darwin-arm64 (an ad-hoc, linker-signed CodeDirectory alone).

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CS_HASHTYPE_SHA256 = 2;
const PAGE_SHIFT = 12;
const PAGE = 1 << PAGE_SHIFT;

interface Layout {
  /** Where LC_CODE_SIGNATURE's dataoff and datasize are, in the file. */
  signatureCommand: number;
  dataoff: number;
  datasize: number;
  /** Where __LINKEDIT's filesize is, and the segment's file offset. */
  linkeditFilesizeAt: number;
  linkeditFileoff: number;
  textFileoff: bigint;
  textFilesize: bigint;
}

function layout(file: Uint8Array): Layout {
  const le = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (le.getUint32(0, true) !== MH_MAGIC_64) throw new Error("not a 64-bit Mach-O file");
  const found: Partial<Layout> = {};
  let at = 32;
  for (let i = 0, n = le.getUint32(16, true); i < n; i++) {
    const cmd = le.getUint32(at, true);
    if (cmd === LC_CODE_SIGNATURE) {
      found.signatureCommand = at;
      found.dataoff = le.getUint32(at + 8, true);
      found.datasize = le.getUint32(at + 12, true);
    } else if (cmd === LC_SEGMENT_64) {
      const name = new TextDecoder().decode(file.subarray(at + 8, at + 24)).replace(/\0+$/, "");
      if (name === "__TEXT") {
        found.textFileoff = le.getBigUint64(at + 40, true);
        found.textFilesize = le.getBigUint64(at + 48, true);
      } else if (name === "__LINKEDIT") {
        found.linkeditFileoff = Number(le.getBigUint64(at + 40, true));
        found.linkeditFilesizeAt = at + 48;
      }
    }
    at += le.getUint32(at + 4, true);
  }
  if (found.signatureCommand === undefined || found.linkeditFilesizeAt === undefined || found.textFilesize === undefined) {
    throw new Error("no LC_CODE_SIGNATURE, __LINKEDIT or __TEXT");
  }
  return found as Layout;
}

/** Why the signature would not pass the kernel's check, or undefined when it would. */
export function signatureProblem(file: Uint8Array): string | undefined {
  const { dataoff, datasize } = layout(file);
  const be = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dataoff + datasize !== file.length) return `the signature ends at ${dataoff + datasize}, the file at ${file.length}`;
  if (be.getUint32(dataoff) !== CSMAGIC_EMBEDDED_SIGNATURE) return "no embedded signature where LC_CODE_SIGNATURE points";
  for (let i = 0, n = be.getUint32(dataoff + 8); i < n; i++) {
    const cd = dataoff + be.getUint32(dataoff + 16 + i * 8);
    if (be.getUint32(cd) !== CSMAGIC_CODEDIRECTORY) continue;
    const hashOffset = be.getUint32(cd + 16);
    const slots = be.getUint32(cd + 28);
    const codeLimit = be.getUint32(cd + 32);
    const [hashSize, hashType, , pageShift] = file.subarray(cd + 36, cd + 40) as unknown as number[];
    if (hashType !== CS_HASHTYPE_SHA256 || hashSize !== 32) return `hash type ${hashType} is not SHA-256`;
    if (codeLimit !== dataoff) return `the signature covers ${codeLimit} bytes, not the ${dataoff} before it`;
    const pageSize = 1 << pageShift!;
    if (slots !== Math.ceil(codeLimit / pageSize)) return `${slots} page hashes for ${codeLimit} bytes`;
    let wrong = 0;
    for (let s = 0; s < slots; s++) {
      const page = file.subarray(s * pageSize, Math.min((s + 1) * pageSize, codeLimit));
      const hash = new Bun.CryptoHasher("sha256").update(page).digest();
      const stored = file.subarray(cd + hashOffset + s * 32, cd + hashOffset + (s + 1) * 32);
      if (!hash.equals(stored)) wrong++;
    }
    return wrong === 0 ? undefined : `${wrong} of ${slots} pages do not match their hashes`;
  }
  return "no CodeDirectory";
}

/**
 * The file with an ad-hoc signature in place of its own: the CodeDirectory Bun writes for
 * darwin-arm64 (version 0x20400, ad-hoc and linker-signed, SHA-256 of each 4 KiB page, the main
 * binary's executable segment), in the space the old one took, the file cut after it.
 */
export function adHocSign(original: Uint8Array, identifier: string): Uint8Array {
  const { signatureCommand, dataoff, linkeditFilesizeAt, linkeditFileoff, textFileoff, textFilesize } = layout(original);
  const ident = new TextEncoder().encode(`${identifier}\0`);
  const slots = Math.ceil(dataoff / PAGE);
  const cdLength = 88 + ident.length + slots * 32;
  const blobLength = 20 + cdLength;
  const file = new Uint8Array(dataoff + blobLength);
  file.set(original.subarray(0, dataoff));
  const le = new DataView(file.buffer);
  // The load commands first: they are in the first page, which the signature hashes.
  le.setUint32(signatureCommand + 12, blobLength, true);
  le.setBigUint64(linkeditFilesizeAt, BigInt(dataoff + blobLength - linkeditFileoff), true);
  const be = le; // the signature itself is big-endian
  be.setUint32(dataoff, CSMAGIC_EMBEDDED_SIGNATURE);
  be.setUint32(dataoff + 4, blobLength);
  be.setUint32(dataoff + 8, 1); // one blob
  be.setUint32(dataoff + 12, 0); // CSSLOT_CODEDIRECTORY
  be.setUint32(dataoff + 16, 20);
  const cd = dataoff + 20;
  be.setUint32(cd, CSMAGIC_CODEDIRECTORY);
  be.setUint32(cd + 4, cdLength);
  be.setUint32(cd + 8, 0x20400); // version
  be.setUint32(cd + 12, 0x20002); // CS_LINKER_SIGNED | CS_ADHOC
  be.setUint32(cd + 16, 88 + ident.length); // hashOffset
  be.setUint32(cd + 20, 88); // identOffset
  be.setUint32(cd + 24, 0); // special slots
  be.setUint32(cd + 28, slots);
  be.setUint32(cd + 32, dataoff); // codeLimit
  file.set([32, CS_HASHTYPE_SHA256, 0, PAGE_SHIFT], cd + 36);
  // spare2, scatterOffset, teamOffset, spare3, codeLimit64 stay 0.
  be.setBigUint64(cd + 64, textFileoff); // execSegBase
  be.setBigUint64(cd + 72, textFilesize); // execSegLimit
  be.setBigUint64(cd + 80, 1n); // CS_EXECSEG_MAIN_BINARY
  file.set(ident, cd + 88);
  const hashes = cd + 88 + ident.length;
  for (let s = 0; s < slots; s++) {
    const page = file.subarray(s * PAGE, Math.min((s + 1) * PAGE, dataoff));
    file.set(new Bun.CryptoHasher("sha256").update(page).digest(), hashes + s * 32);
  }
  return file;
}
