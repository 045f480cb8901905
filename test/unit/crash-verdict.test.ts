// The crash loop's judgement (scripts/bench/crash-verdict.ts) catches each fault it counts: a run
// that lost, doubled or reordered a message must not pass.
import { describe, expect, test } from "bun:test";
import { type Acked, judge, type ReaderLog, type Seen } from "../../scripts/bench/crash-verdict.ts";

const room = "crash-0";
const joined: Seen = { seq: 1, sender: "system", message: "b joined" };
const one: Seen = { seq: 2, sender: "a", message: "a #1" };
const two: Seen = { seq: 3, sender: "a", message: "a #2" };
const acked: Acked[] = [
  { room, sender: "a", body: "a #1", seq: 2 },
  { room, sender: "a", body: "a #2", seq: 3 },
];
const histories = (...messages: Seen[]) => new Map([[room, messages]]);
const reader = (...delivered: Seen[]): ReaderLog[] => [{ room, name: "b", delivered }];

describe("the crash loop's verdict", () => {
  test("a clean run", () => {
    expect(judge(acked, reader(one, two), histories(joined, one, two))).toEqual({ lost: 0, doubled: 0, reordered: 0, problems: [] });
  });

  test("an acknowledged message missing from the history, and never delivered", () => {
    const verdict = judge(acked, reader(one), histories(joined, one));
    expect(verdict.lost).toBe(2);
  });

  test("a message delivered twice, or stored twice", () => {
    expect(judge(acked, reader(one, one, two), histories(joined, one, two)).doubled).toBe(1);
    const storedTwice = judge(acked, reader(one, two), histories(joined, one, two, { ...two, seq: 4 }));
    expect(storedTwice.doubled).toBe(1);
  });

  test("a message delivered after a later one", () => {
    expect(judge(acked, reader(two, one), histories(joined, one, two)).reordered).toBe(1);
  });

  test("a seq that moved, a stray message, a delivery that differs from the history", () => {
    const moved = judge([acked[0]!, { ...acked[1]!, seq: 4 }], reader(one, two), histories(joined, one, two));
    expect(moved.problems).toEqual(['crash-0: "a #2" was acknowledged as seq 4 but is stored at 3']);
    const stray = judge(acked.slice(0, 1), reader(one), histories(joined, one, two));
    expect(stray.problems).toEqual(['crash-0: "a #2" is stored but was never acknowledged']);
    const altered = judge(acked, reader(one, { ...two, message: "a #2?" }), histories(joined, one, two));
    expect(altered.problems).toEqual(['b was handed "a #2?" as seq 3, stored as "a #2"']);
  });
});
