// What one client address may do over HTTP: open so many sessions a minute, hold so many requests
// at once. Loopback addresses are not counted (agents on this machine); behind a proxy on this
// machine every request is loopback unless --trust-proxy takes the address the proxy passes on.
import type { AddressLimits } from "../config.ts";
import { RateLimiter } from "../rate-limit.ts";

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The client an address stands for: an IPv6 address by its /64, the block one machine or home is
 * given, so that the limits cannot be stepped round by taking the next address of one's own block.
 */
export function clientOf(address: string): string {
  if (!address.includes(":") || address.startsWith("::ffff:")) return address;
  const [head = "", tail = ""] = address.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = address.includes("::") ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group || "0", 16).toString(16))
    .join(":")}::/64`;
}

export class PerAddress {
  private readonly sessions: RateLimiter;
  private readonly open = new Map<string, number>();

  constructor(private readonly limits: AddressLimits) {
    this.sessions = new RateLimiter(limits.sessionsPerMinute);
  }

  /**
   * The address a request comes from, if it counts: the socket's, or with --trust-proxy the last
   * entry of X-Forwarded-For (the one the proxy added; earlier ones are the client's to make up).
   */
  addressOf(request: Request, server?: Bun.Server<undefined>): string | undefined {
    const forwarded = this.limits.trustProxy ? request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() : undefined;
    const address = forwarded || server?.requestIP(request)?.address;
    return address && !LOOPBACK.test(address) ? clientOf(address) : undefined;
  }

  /** Seconds until the address may open another session; 0 when it may now. */
  newSession(address: string | undefined): number {
    return address === undefined ? 0 : this.sessions.take(address);
  }

  /** Counts a request as open until `release` is called; false when the address holds its most. */
  enter(address: string | undefined): boolean {
    if (address === undefined) return true;
    const count = this.open.get(address) ?? 0;
    if (count >= this.limits.maxOpen) return false;
    this.open.set(address, count + 1);
    return true;
  }

  release(address: string | undefined): void {
    if (address === undefined) return;
    const left = (this.open.get(address) ?? 1) - 1;
    if (left > 0) this.open.set(address, left);
    else this.open.delete(address);
  }
}
