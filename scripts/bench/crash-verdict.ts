// The crash loop's judgement, apart from the loop so a test can show it catches each fault: given
// what the senders had acknowledged, what each reader's wait_for_message returned and the rooms'
// histories at the end, count the acknowledged messages lost, the ones stored or delivered twice,
// and the deliveries out of order.

/** A send_message that returned success: the message body doubles as its client_msg_id. */
export interface Acked {
  room: string;
  sender: string;
  body: string;
  seq: number;
}

/** A message as wait_for_message or get_messages returns it. */
export interface Seen {
  seq: number;
  sender: string;
  message: string;
}

export interface ReaderLog {
  room: string;
  name: string;
  /** Every message its waits returned, in the order they returned. */
  delivered: Seen[];
}

export interface Verdict {
  /** Acknowledged messages missing from the history, plus deliveries a reader never had. */
  lost: number;
  /** Extra copies: in the history, or handed to one reader again. */
  doubled: number;
  /** Deliveries with a seq below one the reader already had. */
  reordered: number;
  /** Anything else that should not be: a seq that moved, a gap, a message nobody acknowledged. */
  problems: string[];
}

const SYSTEM = "system";

export function judge(acked: Acked[], readers: ReaderLog[], histories: Map<string, Seen[]>): Verdict {
  const verdict: Verdict = { lost: 0, doubled: 0, reordered: 0, problems: [] };
  const ackedBodies = new Set(acked.map((a) => `${a.room}\n${a.body}`));

  for (const [room, history] of histories) {
    history.forEach((message, i) => {
      if (message.seq !== i + 1) verdict.problems.push(`${room}: seq ${message.seq} stands at place ${i + 1} (a gap or a repeat)`);
      if (message.sender !== SYSTEM && !ackedBodies.has(`${room}\n${message.message}`)) {
        verdict.problems.push(`${room}: "${message.message}" is stored but was never acknowledged`);
      }
    });
  }

  for (const a of acked) {
    const copies = (histories.get(a.room) ?? []).filter((m) => m.sender !== SYSTEM && m.message === a.body);
    if (copies.length === 0) verdict.lost++;
    verdict.doubled += Math.max(0, copies.length - 1);
    if (copies[0] && copies[0].seq !== a.seq) {
      verdict.problems.push(`${a.room}: "${a.body}" was acknowledged as seq ${a.seq} but is stored at ${copies[0].seq}`);
    }
  }

  for (const reader of readers) {
    const history = histories.get(reader.room) ?? [];
    const had = new Set<number>();
    let highest = 0;
    for (const message of reader.delivered) {
      if (had.has(message.seq)) verdict.doubled++;
      else if (message.seq < highest) verdict.reordered++;
      had.add(message.seq);
      highest = Math.max(highest, message.seq);
      const stored = history[message.seq - 1];
      if (stored?.message !== message.message) {
        verdict.problems.push(`${reader.name} was handed "${message.message}" as seq ${message.seq}, stored as "${stored?.message}"`);
      }
    }
    const deliveredBodies = new Set(reader.delivered.map((m) => m.message));
    for (const a of acked) {
      if (a.room === reader.room && a.sender !== reader.name && !deliveredBodies.has(a.body)) verdict.lost++;
    }
  }
  return verdict;
}
