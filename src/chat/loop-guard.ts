// The loop guard: two agents answering each other all night burn money with no person in the loop.
// A room counts the messages in a row from agents; at the limit it pauses until a person writes.

export interface GuardState {
  agentStreak: number;
  pausedAt: number | null;
}

/** What one more message does to the room's guard: its new state, and a notice when it pauses or resumes. */
export type GuardStep = { refused: true } | { refused: false; state: GuardState; notice?: "paused" | "resumed" };

/**
 * `limit` is the room's own loop guard, else the server's; 0 turns it off. A person's message
 * resets the count and resumes a paused room; an agent's is refused while the room is paused.
 */
export function guardStep(room: GuardState, fromPerson: boolean, limit: number, now: number): GuardStep {
  if (fromPerson) {
    return { refused: false, state: { agentStreak: 0, pausedAt: null }, notice: room.pausedAt === null ? undefined : "resumed" };
  }
  if (room.pausedAt !== null && limit > 0) return { refused: true };
  const agentStreak = room.agentStreak + 1;
  if (limit > 0 && agentStreak >= limit) return { refused: false, state: { agentStreak, pausedAt: now }, notice: "paused" };
  return { refused: false, state: { agentStreak, pausedAt: null } };
}
