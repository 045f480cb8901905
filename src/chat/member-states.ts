// What a member is doing, as others see it: inside a wait, active, idle or gone.

export type MemberState = "waiting" | "active" | "idle" | "gone";

/**
 * Seen within this long counts as active. last_seen_at is written at most every 30 s
 * (Presence.touchEveryMs), so a shorter span would call a busy member idle between writes.
 */
export const ACTIVE_MS = 120_000;

export interface SeenMember {
  lastSeenAt: number;
  waitingUntil: number | null;
  leftAt: number | null;
}

/** `idleMs`: the idle time-out, past which a member counts as gone (as for partner_left). */
export function memberState(member: SeenMember, now: number, idleMs: number): MemberState {
  if (member.leftAt !== null || member.lastSeenAt < now - idleMs) return "gone";
  if (member.waitingUntil !== null && member.waitingUntil > now) return "waiting";
  return member.lastSeenAt >= now - ACTIVE_MS ? "active" : "idle";
}
