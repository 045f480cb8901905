import { chatError } from "../errors.ts";

/** Counts each participant's waiting calls in this process and caps them. */
export class WaitLimit {
  private readonly waiting = new Map<string, number>();
  private all = 0;

  constructor(private readonly maxPerParticipant: number) {}

  /** Throws too_many_waits if the participant has no waiting call to spare. */
  refuseIfFull(participantId: string): void {
    const current = this.count(participantId);
    if (current >= this.maxPerParticipant) {
      throw chatError("too_many_waits", current);
    }
  }

  async hold<T>(participantId: string, wait: () => Promise<T>): Promise<T> {
    this.refuseIfFull(participantId);
    this.waiting.set(participantId, this.count(participantId) + 1);
    this.all++;
    try {
      return await wait();
    } finally {
      this.all--;
      const left = this.count(participantId) - 1;
      if (left === 0) this.waiting.delete(participantId);
      else this.waiting.set(participantId, left);
    }
  }

  count(participantId: string): number {
    return this.waiting.get(participantId) ?? 0;
  }

  /** Waiting calls of everyone in this process. */
  get total(): number {
    return this.all;
  }
}
