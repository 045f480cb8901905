// Watching one participant's rooms for news without reading anything: what a push channel
// (Claude Code's claude/channel, docs/CHANNELS.md) tells an idle agent. It moves no read cursor,
// so the agent still reads every message once, with wait_for_message.
import type { ChatStore } from "../db/store.ts";
import { bestEffort } from "../log.ts";
import { type Doorbell, queueTopic, roomTopic } from "./doorbell.ts";
import { type MessageView, messageView, type UnreadView } from "./views.ts";

/** What a watch tells. */
export interface RoomNews {
  /** A message from someone else (system notices included) that arrived unread while watching. */
  message(roomId: string, message: MessageView): void;
  /** Unread messages told at once: those already there when a room's watch began, or a burst past MESSAGES_EACH. */
  summary(unread: UnreadView): void;
}

/** How many messages of one room one look tells one by one; the rest of a burst goes in one summary. */
const MESSAGES_EACH = 10;
/** How many senders' names a summary names at most. */
const SUMMARY_NAMES = 5;

/**
 * The rooms `participantId` is in now, followed as they change: listens on each room's topic (and
 * the queue's, which rings when a pairing opens a room), and on every ring looks for messages
 * after the last seq it told of. Those seqs are held in memory only.
 */
export class RoomWatch {
  /** Per room watched: the seq told of so far (one by one or in a summary). */
  private readonly toldUpTo = new Map<string, number>();
  private pending: Timer | undefined;
  private stopped = false;
  /** The doorbell's listener on every topic, the same function for listen and unlisten. */
  private readonly onRing = () => this.lookSoon();

  constructor(
    private readonly store: ChatStore,
    private readonly doorbell: Doorbell,
    private readonly participantId: string,
    private readonly news: RoomNews,
  ) {}

  /** Starts listening; each room's unread messages are told at once, in one summary per room. */
  start(): void {
    this.doorbell.listen(queueTopic, this.onRing);
    this.look();
  }

  /** Looks again now: the participant may have joined or left a room (a tool call says so). */
  refresh(): void {
    if (!this.stopped) this.look();
  }

  /** Stops listening everywhere; nothing is told afterwards. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pending);
    this.doorbell.unlisten(queueTopic, this.onRing);
    for (const roomId of this.toldUpTo.keys()) this.doorbell.unlisten(roomTopic(roomId), this.onRing);
    this.toldUpTo.clear();
  }

  /**
   * After the ring's own turn, once for any number of rings: a wait_for_message woken by the same
   * ring has claimed its message by then, and the agent is not told of what it has just read.
   */
  private lookSoon(): void {
    if (this.pending || this.stopped) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (!this.stopped) bestEffort("watching rooms for the channel", () => this.look());
    }, 0);
  }

  private look(): void {
    const rooms = this.store.roomsOf(this.participantId);
    const present = new Set(rooms.map((room) => room.roomId));
    for (const roomId of [...this.toldUpTo.keys()]) {
      if (present.has(roomId)) continue;
      this.doorbell.unlisten(roomTopic(roomId), this.onRing);
      this.toldUpTo.delete(roomId);
    }
    for (const { roomId, readSeq } of rooms) {
      const told = this.toldUpTo.get(roomId);
      if (told === undefined) {
        this.doorbell.listen(roomTopic(roomId), this.onRing);
        this.summarize(roomId, readSeq);
      } else {
        // What the agent has read already (its cursor passed it) is no news.
        this.tellNew(roomId, Math.max(told, readSeq));
      }
    }
  }

  private tellNew(roomId: string, after: number): void {
    let told = after;
    for (let n = 0; n < MESSAGES_EACH; n++) {
      const next = this.store.nextMessageFor(roomId, this.participantId, told);
      if (!next) break;
      told = next.seq;
      this.toldUpTo.set(roomId, told);
      this.news.message(roomId, messageView(next, this.participantId));
    }
    this.summarize(roomId, told);
  }

  /** Tells the unread messages after `after`, if any, in one summary, and counts them all as told. */
  private summarize(roomId: string, after: number): void {
    // The room's end is read before the count: a message committed in between is told twice, never missed.
    const end = this.store.room(roomId)?.lastSeq ?? after;
    this.toldUpTo.set(roomId, Math.max(after, end));
    const unread = this.store.countMessagesFor(roomId, this.participantId, after);
    if (unread === 0) return;
    this.news.summary({ room_id: roomId, unread, from: this.store.unreadSenders(roomId, this.participantId, after, SUMMARY_NAMES) });
  }
}
