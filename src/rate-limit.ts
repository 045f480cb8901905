// Token buckets, one per key (a participant, a client address): `perMinute` tokens a minute, and a
// full minute's worth at once. A limit that recovers by itself, never a ban.

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  /** Takes a token for `key`: 0 when there was one, else the seconds until there is. */
  take(key: string): number {
    const now = this.now();
    this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    // Rounded up, but not past a whole second that floating point only seems to exceed.
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * 60) / this.perMinute - 1e-9));
  }

  /** Once a minute, forgets the keys whose bucket has filled up again: memory stays bounded by the busy keys. */
  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 60_000) * this.perMinute >= this.perMinute) this.buckets.delete(key);
    }
  }
}
