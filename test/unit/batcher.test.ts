// The batcher behind sends, presence touches and stream events, on its own.
import { describe, expect, test } from "bun:test";
import { Batcher } from "../../src/batcher.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("Batcher", () => {
  test("what is added in one turn of the event loop is flushed once, together, in order", async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number>({ delayMs: 0, flush: (items) => flushed.push(items) });
    batcher.add(1);
    batcher.add(2);
    expect(flushed).toEqual([]);
    await turn();
    batcher.add(3);
    await turn();
    expect(flushed).toEqual([[1, 2], [3]]);
  });

  test("with a delay, items wait that long for others; flushNow does not wait", async () => {
    const flushed: string[][] = [];
    const batcher = new Batcher<string>({ delayMs: 40, flush: (items) => flushed.push(items) });
    batcher.add("a");
    await turn();
    batcher.add("b");
    expect(flushed).toEqual([]);
    await Bun.sleep(60);
    expect(flushed).toEqual([["a", "b"]]);
    batcher.add("c");
    batcher.flushNow();
    expect(flushed).toEqual([["a", "b"], ["c"]]);
    expect(batcher.pending).toBe(0);
  });

  test("a failed flushNow keeps its items ahead of newer ones and throws", () => {
    let fail = true;
    const flushed: number[][] = [];
    const batcher = new Batcher<number>({
      delayMs: 1_000,
      flush: (items) => {
        if (fail) throw new Error("disk full");
        flushed.push(items);
      },
    });
    batcher.add(1);
    expect(() => batcher.flushNow()).toThrow("disk full");
    batcher.add(2);
    expect(batcher.pending).toBe(2);
    fail = false;
    batcher.flushNow();
    expect(flushed).toEqual([[1, 2]]);
  });

  test("a failed scheduled flush is tried again by itself, backing off, and says so each time", async () => {
    let failures = 2;
    const flushed: number[][] = [];
    const told: number[] = [];
    const batcher = new Batcher<number>({
      delayMs: 0,
      flush: (items) => {
        if (failures-- > 0) throw new Error("locked");
        flushed.push(items);
      },
      retry: { firstMs: 20, maxMs: 30, failed: (_error, nextTryMs) => told.push(nextTryMs) },
    });
    batcher.add(1);
    await turn();
    expect(flushed).toEqual([]);
    await Bun.sleep(100);
    expect({ flushed, told }).toEqual({ flushed: [[1]], told: [20, 30] });
  });
});
