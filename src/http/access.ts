// Access control: with tokens or an identity provider configured, every /mcp request must carry a
// Bearer token: one of the static tokens, or a JWT the provider signed. Each token (each JWT
// subject) is its own tenant: the participants and sessions made under it are not reachable under
// another (see `subject`).

import { nameProblem } from "../chat/names.ts";
import type { JwtAccess } from "../config.ts";
import { warn } from "../log.ts";
import type { Grant } from "../tools/tool.ts";

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Whether two digests of equal length are equal, in time that does not depend on where they differ. */
function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ (b[i] ?? 0);
  return difference === 0;
}

/**
 * The tokens of a token file: one a line, `TOKEN [rooms=a,b] [names=Ann,Bob] [as=NAME] [human]`;
 * blank lines and lines starting with # are skipped. A word that is not one of these is a mistake,
 * said at once (so is a name for as= that the name rules refuse).
 */
export function tokensInFile(text: string): { token: string; grant?: Grant }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [token, ...words] = line.split(/\s+/);
      const grant: Grant = {};
      for (const word of words) {
        if (word === "human") {
          grant.human = true;
          continue;
        }
        const [, key, value] = /^(rooms|names|as)=(.+)$/.exec(word) ?? [];
        if (!key) throw new Error(`a token line takes rooms=a,b, names=Ann,Bob, as=NAME and human after the token, not "${word}"`);
        if (key === "as") {
          const problem = nameProblem(value!);
          if (problem) throw new Error(`as=${value} on a token line: the name ${problem}`);
          grant.as = value!;
        } else grant[key as "rooms" | "names"] = value!.split(",").filter(Boolean);
      }
      return words.length === 0 ? { token: token! } : { token: token!, grant };
    });
}

/** A JWT's shape: three base64url parts. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export type AccessVerdict = { subject: string | undefined; grant?: Grant } | { refused: "missing" | "invalid" };

/** Checks JWTs against the provider's published keys (jose fetches and caches the JWKS). */
async function jwtVerifier({ jwksUrl, issuer, audience }: JwtAccess) {
  const { createRemoteJWKSet, jwtVerify } = await import("jose");
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  return async (token: string): Promise<string | undefined> => {
    try {
      const { payload } = await jwtVerify(token, keys, { issuer, audience });
      return payload.sub === undefined ? undefined : `jwt:${hex(sha256(`${payload.iss}\0${payload.sub}`).subarray(0, 8))}`;
    } catch (error) {
      warn("a JWT was refused:", (error as Error).message);
      return undefined;
    }
  };
}

export class Access {
  private digests: { digest: Uint8Array; grant?: Grant }[];

  private constructor(
    private readonly given: string[],
    private readonly file: string | undefined,
    private readonly verifyJwt: ((token: string) => Promise<string | undefined>) | undefined,
  ) {
    this.digests = given.map((token) => ({ digest: sha256(token) }));
  }

  /** The tokens given, those of the token file if there is one, and the JWT check if configured. */
  static async load(given: string[], file?: string, jwt?: JwtAccess): Promise<Access> {
    const access = new Access(given, file, jwt ? await jwtVerifier(jwt) : undefined);
    // At start a token file that cannot be read or has a bad line stops the server: it would run
    // with fewer tokens than meant. On SIGHUP the tokens read before are kept instead.
    if (file) access.use(tokensInFile(await Bun.file(file).text()));
    return access;
  }

  /** Whether any token is required at all. */
  get enabled(): boolean {
    return this.digests.length > 0 || this.file !== undefined || this.verifyJwt !== undefined;
  }

  /** Reads the token file again (SIGHUP); a file that cannot be read keeps the tokens there were. */
  async reload(): Promise<void> {
    if (!this.file) return;
    try {
      this.use(tokensInFile(await Bun.file(this.file).text()));
    } catch (error) {
      warn(`reading the token file ${this.file} failed; keeping the tokens read before:`, (error as Error).message);
    }
  }

  private use(fromFile: { token: string; grant?: Grant }[]): void {
    const lines: { token: string; grant?: Grant }[] = [...this.given.map((token) => ({ token })), ...fromFile];
    this.digests = lines.map(({ token, grant }) => ({ digest: sha256(token), grant }));
  }

  /**
   * The verdict on a request: the subject its token names (a tag made from a hash, never the
   * token), or why it is refused. Every static token is compared, in constant time each.
   */
  async check(request: Request): Promise<AccessVerdict> {
    if (!this.enabled) return { subject: undefined };
    const header = request.headers.get("authorization");
    const match = header && /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match) return { refused: "missing" };
    const token = match[1]!;
    const digest = sha256(token);
    let found: (typeof this.digests)[number] | undefined;
    for (const known of this.digests) if (sameDigest(known.digest, digest)) found = known;
    if (found) return { subject: `token:${hex(found.digest.subarray(0, 8))}`, grant: found.grant };
    const subject = this.verifyJwt && JWT_SHAPE.test(token) ? await this.verifyJwt(token) : undefined;
    return subject ? { subject } : { refused: "invalid" };
  }
}
