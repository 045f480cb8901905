// The soak (issue 19): steady chat traffic through the compiled binary over HTTP, with the churn a
// long-running server sees: pairs made by the queue and left again, waits cut off by clients that
// hang up, reconnects with a client_id on a new session, sessions closed. Every few seconds it
// samples the server's RSS, open file descriptors, sessions and waiting calls (/health), and the
// database's size; it times each wake-up (send issued to the wait's answer).
//   bun scripts/bench/soak.ts [--minutes 10] [--seconds N] [--pairs 8]
// It fails if what should stay flat grows: at the end, with the traffic stopped, sessions and
// waiting calls must be back to 0 and descriptors to where they started; over a run of two minutes
// or more, RSS, the WAL and the p99 wake-up of the last third must stay near the first third's.
// Messages are kept for good, so the database's main file grows with them: it is reported per message.
import { readdirSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";
import { log, McpSession, memoryOf, numberFlag, openPair, percentile, round, runBench, sleep, startServer, tempDir } from "./lib.ts";

const SECONDS = numberFlag("seconds", numberFlag("minutes", 10) * 60);
const PAIRS = numberFlag("pairs", 8);
const SAMPLE_EVERY_MS = Math.min(5_000, (SECONDS * 1000) / 10);
/** The trends are judged only on a run this long: shorter ones are too noisy for them. */
const TREND_MIN_SECONDS = 120;
const MESSAGES_PER_PAIR = 20;
/** Descriptors the server may hold at the end beyond those at the start. */
const FDS_SLACK = 5;

interface Sample {
  at: number;
  rss: number;
  fds: number;
  /** Of the descriptors, the sockets: connections, and the listening one. */
  sockets: number;
  sessions: number;
  waiting: number;
  db: number;
  wal: number;
}

const linkOf = (path: string) => {
  try {
    return readlinkSync(path);
  } catch {
    return ""; // closed meanwhile
  }
};

const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

await runBench("soak", (SECONDS + 60) * 1000, async () => {
  const db = join(tempDir(), "chat.db");
  const server = await startServer(db);
  const health = new URL("/health", server.url);
  const sample = async (): Promise<Sample> => {
    const figures = (await (await fetch(health)).json()) as { sessions: number; waiting: number };
    const fds = readdirSync(`/proc/${server.pid}/fd`);
    return {
      at: performance.now(),
      rss: memoryOf(server.pid).rss,
      fds: fds.length,
      sockets: fds.filter((fd) => linkOf(`/proc/${server.pid}/fd/${fd}`).startsWith("socket:")).length,
      sessions: figures.sessions,
      waiting: figures.waiting,
      db: sizeOf(db),
      wal: sizeOf(`${db}-wal`),
    };
  };
  const start = await sample();
  const samples: Sample[] = [];
  const wakeUps: { at: number; ms: number }[] = [];
  let messages = 0;
  let cycles = 0;
  const deadline = performance.now() + SECONDS * 1000;

  // One pair at a time in the queue: two pairs there at once would be paired across.
  let queueFree: Promise<unknown> = Promise.resolve();
  const meet = (i: number) => {
    const met = queueFree.then(() => openPair(server.url, [`A${i}`, `B${i}`]));
    queueFree = met.catch(() => {});
    return met;
  };

  /** One pair's life: met in the queue, a conversation with a wait cut off and a reconnect, then gone. */
  const cycle = async (i: number) => {
    const { a, b, room, clientIds } = await meet(i);
    const bId = String((await b.call("whoami", {})).sender_id);
    for (let m = 0; m < MESSAGES_PER_PAIR; m++) {
      const [from, to] = m % 2 ? [b, a] : [a, b];
      let returned = 0;
      const waiting = to.call("wait_for_message", { room_id: room, timeout: 10 }, 15_000).then((got) => {
        returned = performance.now();
        return got;
      });
      await sleep(3);
      const issued = performance.now();
      await from.call("send_message", { room_id: room, message: `m${m}` });
      const got = await waiting;
      if (got.message !== `m${m}`) throw new Error(`a wait got ${JSON.stringify(got)} instead of m${m}`);
      wakeUps.push({ at: issued, ms: returned - issued });
      messages++;
    }
    // A client that hangs up in the middle of a wait: the server ends it and keeps nothing.
    await b.callTool("wait_for_message", { room_id: room, timeout: 10 }, 30).catch(() => {});
    // B comes back on a new session with its client_id (the old one is closed), as after a restart.
    const clientId = clientIds[1];
    await b.close();
    const again = await McpSession.open(server.url);
    const me = await again.call("whoami", { client_id: clientId });
    if (me.sender_id !== bId) throw new Error("the client_id did not bring B back");
    await again.call("leave_chat", { room_id: room, client_id: clientId });
    await a.call("leave_chat", { room_id: room });
    await Promise.all([a.close(), again.close()]);
    cycles++;
  };
  const workers = Array.from({ length: PAIRS }, async (_, i) => {
    while (performance.now() < deadline) await cycle(i);
  });
  const sampler = (async () => {
    while (performance.now() < deadline) {
      await sleep(SAMPLE_EVERY_MS);
      samples.push(await sample());
      const last = samples.at(-1)!;
      log(`${messages} messages, rss ${(last.rss / 2 ** 20).toFixed(1)} MB, fds ${last.fds}, sessions ${last.sessions}`);
    }
  })();
  await Promise.all([...workers, sampler]);
  await sleep(500); // the last hung-up waits and closed sessions settle
  let end = await sample();
  // Our fetch keeps its connections open for reuse, a descriptor each on the server; the server
  // closes them after its 10 s idle cut-off. Wait for that only when they are what is left.
  if (end.fds > start.fds + FDS_SLACK) {
    await sleep(11_000);
    end = await sample();
  }

  const third = Math.max(1, Math.floor(samples.length / 3));
  const [first, last] = [samples.slice(0, third), samples.slice(-third)];
  const median = (values: number[]) => percentile(values, 50);
  const firstAt = first.at(-1)!.at;
  const lastFrom = last[0]!.at;
  const p99 = (from: number, to: number) =>
    percentile(
      wakeUps.filter((w) => w.at >= from && w.at <= to).map((w) => w.ms),
      99,
    );
  const figures = {
    seconds: SECONDS,
    pairs: PAIRS,
    messages,
    cycles,
    rss_mb: [round(median(first.map((s) => s.rss)) / 2 ** 20, 1), round(median(last.map((s) => s.rss)) / 2 ** 20, 1)],
    fds: [start.fds, end.fds],
    sessions_at_end: end.sessions,
    waiting_at_end: end.waiting,
    wal_mb: [round(Math.max(...first.map((s) => s.wal)) / 2 ** 20, 1), round(Math.max(...last.map((s) => s.wal)) / 2 ** 20, 1)],
    db_bytes_per_message: Math.round((end.db + end.wal - start.db - start.wal) / Math.max(1, messages)),
    p99_wake_ms: [round(p99(0, firstAt), 2), round(p99(lastFrom, Number.POSITIVE_INFINITY), 2)],
  };
  const problems: string[] = [];
  if (end.sessions !== 0) problems.push(`${end.sessions} sessions left open after every client closed its own`);
  if (end.waiting !== 0) problems.push(`${end.waiting} calls still waiting after every client stopped`);
  if (end.fds > start.fds + FDS_SLACK) {
    problems.push(`descriptors grew from ${start.fds} to ${end.fds} (sockets ${start.sockets} -> ${end.sockets})`);
  }
  if (SECONDS >= TREND_MIN_SECONDS) {
    const [rssFirst, rssLast] = figures.rss_mb as [number, number];
    if (rssLast > rssFirst * 1.2 + 10) problems.push(`RSS grew from ${rssFirst} MB to ${rssLast} MB`);
    const [walFirst, walLast] = figures.wal_mb as [number, number];
    if (walLast > Math.max(walFirst * 2, 8)) problems.push(`the WAL grew from ${walFirst} MB to ${walLast} MB`);
    const [wakeFirst, wakeLast] = figures.p99_wake_ms as [number, number];
    if (wakeLast > wakeFirst * 2 + 5) problems.push(`the p99 wake-up went from ${wakeFirst} ms to ${wakeLast} ms`);
  }
  console.log(
    `seconds ${SECONDS}  messages ${messages}  cycles ${cycles}  rss ${figures.rss_mb.join(" -> ")} MB  ` +
      `fds ${figures.fds.join(" -> ")}  sessions at end ${end.sessions}  waiting at end ${end.waiting}  ` +
      `wal ${figures.wal_mb.join(" -> ")} MB  db ${figures.db_bytes_per_message} B/message  p99 wake-up ${figures.p99_wake_ms.join(" -> ")} ms`,
  );
  if (SECONDS < TREND_MIN_SECONDS) console.log(`(a run under ${TREND_MIN_SECONDS} s checks the end state only, not the trends)`);
  for (const problem of problems) console.log(`problem: ${problem}`);
  if (problems.length > 0) throw new Error(`the soak found ${problems.length} problems`);
  return figures;
});
