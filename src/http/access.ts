// Access control: with tokens configured, every /mcp request must carry one as a Bearer token.
// Each token is its own tenant: the participants and sessions made under it are not reachable
// under another (see `subject`).
import { log } from "../log.ts";

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest();

/** Whether two digests of equal length are equal, in time that does not depend on where they differ. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/** The tokens of a token file: one a line; blank lines and lines starting with # are skipped. */
export function tokensInFile(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

export type AccessVerdict = { subject: string | undefined } | { refused: "missing" | "invalid" };

export class AccessTokens {
  private digests: Uint8Array[];

  private constructor(
    private readonly given: string[],
    private readonly file?: string,
  ) {
    this.digests = given.map(sha256);
  }

  /** The tokens given, and those of the token file if there is one. */
  static async load(given: string[], file?: string): Promise<AccessTokens> {
    const tokens = new AccessTokens(given, file);
    await tokens.reload();
    return tokens;
  }

  /** Whether any token is required at all. */
  get enabled(): boolean {
    return this.digests.length > 0 || this.file !== undefined;
  }

  /** Reads the token file again (SIGHUP); a file that cannot be read keeps the tokens there were. */
  async reload(): Promise<void> {
    let fromFile: string[] = [];
    if (this.file) {
      try {
        fromFile = tokensInFile(await Bun.file(this.file).text());
      } catch (error) {
        log(`reading the token file ${this.file} failed; keeping the tokens read before:`, (error as Error).message);
        if (this.digests.length > 0) return;
      }
    }
    this.digests = [...this.given, ...fromFile].map(sha256);
  }

  /**
   * The verdict on a request: the subject its token names (a tag made from the token's hash, never
   * the token), or why it is refused. Every known token is compared, in constant time each.
   */
  check(request: Request): AccessVerdict {
    if (!this.enabled) return { subject: undefined };
    const header = request.headers.get("authorization");
    const match = header && /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) return { refused: "missing" };
    const digest = sha256(match[1]!);
    let found: Uint8Array | undefined;
    for (const known of this.digests) if (sameDigest(known, digest)) found = known;
    return found ? { subject: `token:${Buffer.from(found.subarray(0, 8)).toString("hex")}` } : { refused: "invalid" };
  }
}
