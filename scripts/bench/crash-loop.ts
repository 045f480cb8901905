// The crash loop (issue 19). Clients send (with client_msg_id) and wait through the compiled binary
// over HTTP while it is killed with SIGKILL at random moments and restarted on the same database
// file. Afterwards every acknowledged message must be in the history exactly once, each reader must
// have had every message of the others exactly once and in order, and PRAGMA integrity_check must
// say ok. Run through ./scripts/bench/crash-loop, or alone:
//   bun scripts/bench/crash-loop.ts [--kills 50] [--rooms 3] [--seed N]
// Prints the figures (messages, kills, lost, doubled, reordered) and exits non-zero unless lost,
// doubled and reordered are 0 and the file is intact.
//
// A client does what docs/DECISIONS.md asks of one whose server died: a sender retries the same
// client_msg_id until it is acknowledged; a reader whose wait failed passes the last seq it saw as
// after_seq to its next wait. Each starts a new MCP session (the old one died with the server) and
// names itself by its client_id.
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { type Acked, judge, type ReaderLog, type Seen } from "./crash-verdict.ts";
import { type Json, log, McpSession, numberFlag, runBench, type Served, serverCommand, sleep, startServer, tempDir } from "./lib.ts";

const KILLS = numberFlag("kills", 50);
const ROOMS = numberFlag("rooms", 3);
const MEMBERS_PER_ROOM = 2;
const SEED = numberFlag("seed", 1 + Math.floor(Math.random() * 2 ** 31));
/** A kill comes this long after the server listens: sometimes while clients reconnect, mostly amid traffic. */
const KILL_AFTER_MS = [50, 1_200] as const;
/** After this share of the kills, the restart is killed too, within 40 ms of its start. */
const START_UP_KILL_SHARE = 0.2;
/** Seconds a reader's wait blocks; short, so the drain at the end is quick. */
const WAIT_SECONDS = 2;
/** After the senders stop, how long readers may take to catch up. */
const DRAIN_MS = 20_000;

/** mulberry32: the kill moments follow from --seed, so a run's schedule can be repeated. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** The server of the moment: killed and started again on the same file. */
class CrashingServer {
  /** Counts starts, so a client can tell that its session belongs to a server that died. */
  generation = 0;
  url = "";
  private served: Served | undefined;

  constructor(private readonly db: string) {}

  async start(): Promise<void> {
    this.served = await startServer(this.db);
    this.generation++;
    this.url = this.served.url;
  }

  async kill(): Promise<void> {
    this.url = "";
    this.served?.process.kill("SIGKILL");
    await this.served?.process.exited;
  }

  /** Starts the binary on the file and kills it `afterMs` later, before it listens: amid recovery and migration. */
  async killWhileStarting(afterMs: number): Promise<void> {
    const child = Bun.spawn([...serverCommand(), "--port", "0", "--db", this.db], { stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    await sleep(afterMs);
    child.kill("SIGKILL");
    await child.exited;
  }

  async stop(): Promise<void> {
    this.url = "";
    await this.served?.stop();
  }
}

/** One client's MCP session on the server of the moment; a new one (initialize) after each crash. */
class Link {
  private session: McpSession | undefined;
  private generation = -1;
  /** Calls that failed because the server died under them (or between them). */
  failures = 0;

  constructor(private readonly server: CrashingServer) {}

  /** One tool call; rejects if no result came back, and the next call starts a new session. */
  async call(name: string, args: Json, timeoutMs = 15_000): Promise<{ isError: boolean; data: Json }> {
    const session = await this.open();
    try {
      return await session.callTool(name, args, timeoutMs);
    } catch (error) {
      this.session = undefined;
      this.failures++;
      throw error;
    }
  }

  private async open(): Promise<McpSession> {
    for (;;) {
      if (this.session && this.generation === this.server.generation) return this.session;
      const { url, generation } = this.server;
      if (url) {
        try {
          this.session = await McpSession.open(url);
          this.generation = generation;
          return this.session;
        } catch {
          this.failures++;
        }
      }
      await sleep(20);
    }
  }
}

interface Member {
  name: string;
  room: string;
  clientId: string;
  /** The read position after joining: where a resumed wait starts if none was delivered yet. */
  startSeq: number;
}

await runBench("crash-loop", 60_000 + KILLS * 10_000, async () => {
  const random = seededRandom(SEED);
  const db = join(tempDir(), "chat.db");
  const server = new CrashingServer(db);
  await server.start();
  const problems: string[] = [];
  const toolError = (who: string, tool: string, data: Json) => problems.push(`${who} ${tool}: ${JSON.stringify(data)}`);

  // Everyone joins before any traffic, so the join notices are the only system messages. A session
  // remembers the identity of its first join_room: each member joins on a session of its own.
  const setup = new Link(server);
  const members: Member[] = [];
  for (let r = 0; r < ROOMS; r++) {
    for (let m = 0; m < MEMBERS_PER_ROOM; m++) {
      const name = `r${r}-m${m}`;
      const joined = await new Link(server).call("join_room", { room_id: `crash-${r}`, display_name: name });
      if (joined.isError) throw new Error(`join_room: ${JSON.stringify(joined.data)}`);
      members.push({ name, room: `crash-${r}`, clientId: String(joined.data.client_id), startSeq: 0 });
    }
  }
  const readers: ReaderLog[] = members.map((m) => ({ room: m.room, name: m.name, delivered: [] }));
  for (const [i, m] of members.entries()) {
    // The join notices of later members are news to earlier ones: take them now, then note the position.
    for (;;) {
      const got = await setup.call("wait_for_message", { room_id: m.room, client_id: m.clientId, timeout: 0 });
      if (got.isError) throw new Error(`wait_for_message: ${JSON.stringify(got.data)}`);
      if (got.data.timeout) {
        m.startSeq = Number(got.data.seq);
        break;
      }
      readers[i]!.delivered.push(seen(got.data));
    }
  }

  const acked: Acked[] = [];
  let sending = true;
  let drainUntil = Number.POSITIVE_INFINITY;
  const links: Link[] = [];
  const link = () => {
    const made = new Link(server);
    links.push(made);
    return made;
  };

  const send = async (m: Member) => {
    const to = link();
    for (let i = 1; sending; i++) {
      const body = `${m.name} #${i}`;
      // Until acknowledged: a retry after a crash names the same client_msg_id, so it is stored once.
      for (;;) {
        try {
          const reply = await to.call("send_message", { room_id: m.room, client_id: m.clientId, message: body, client_msg_id: body });
          if (!reply.isError) {
            acked.push({ room: m.room, sender: m.name, body, seq: Number(reply.data.seq) });
            break;
          }
          toolError(m.name, "send_message", reply.data);
        } catch {}
        await sleep(10);
      }
    }
  };

  const read = async (m: Member, reader: ReaderLog) => {
    const from = link();
    const expected = () => acked.filter((a) => a.room === m.room && a.sender !== m.name).length;
    const othersDelivered = () => reader.delivered.filter((d) => d.sender !== "system").length;
    let last = reader.delivered.at(-1)?.seq ?? m.startSeq;
    let resume = false;
    while (!(drainUntil < Number.POSITIVE_INFINITY && (othersDelivered() >= expected() || Date.now() > drainUntil))) {
      const args: Json = { room_id: m.room, client_id: m.clientId, timeout: WAIT_SECONDS };
      // The reply of the wait that failed may have claimed a message: ask again from the last one seen.
      if (resume) args.after_seq = last;
      try {
        const reply = await from.call("wait_for_message", args);
        resume = false;
        if (reply.isError) toolError(m.name, "wait_for_message", reply.data);
        else if (!reply.data.timeout) {
          reader.delivered.push(seen(reply.data));
          last = Math.max(last, Number(reply.data.seq));
        }
      } catch {
        resume = true;
        await sleep(10);
      }
    }
  };

  const started = performance.now();
  const sends = members.map(send);
  const reads = members.map((m, i) => read(m, readers[i]!));

  let startUpKills = 0;
  for (let kill = 1; kill <= KILLS; kill++) {
    await sleep(KILL_AFTER_MS[0] + random() * (KILL_AFTER_MS[1] - KILL_AFTER_MS[0]));
    await server.kill();
    if (random() < START_UP_KILL_SHARE) {
      await server.killWhileStarting(random() * 40);
      startUpKills++;
    }
    await server.start();
    if (kill % 10 === 0) log(`${kill} kills, ${acked.length} messages acknowledged`);
  }
  await sleep(1_000); // a last stretch of traffic on a server that stays up
  sending = false;
  await Promise.all(sends);
  drainUntil = Date.now() + DRAIN_MS;
  await Promise.all(reads);
  const seconds = (performance.now() - started) / 1000;

  const histories = new Map<string, Seen[]>();
  for (const m of members) {
    if (!histories.has(m.room)) histories.set(m.room, await wholeHistory(setup, m));
  }
  await server.stop();
  const file = new Database(db);
  const integrity = file.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all();
  file.close();
  const intact = integrity.length === 1 && integrity[0]!.integrity_check === "ok";

  const verdict = judge(acked, readers, histories);
  problems.push(...verdict.problems);
  const figures = {
    messages: acked.length,
    kills: KILLS,
    lost: verdict.lost,
    doubled: verdict.doubled,
    reordered: verdict.reordered,
    integrity: intact ? "ok" : integrity.map((row) => row.integrity_check).join("; "),
    start_up_kills: startUpKills,
    calls_cut_by_kills: [setup, ...links].reduce((sum, l) => sum + l.failures, 0),
    seconds: Number(seconds.toFixed(1)),
    seed: SEED,
  };
  console.log(
    `messages ${figures.messages}  kills ${figures.kills}  lost ${figures.lost}  doubled ${figures.doubled}  ` +
      `reordered ${figures.reordered}  integrity ${figures.integrity}`,
  );
  console.log(
    `(${ROOMS} rooms of ${MEMBERS_PER_ROOM}, ${figures.start_up_kills} more kills during start-up, ` +
      `${figures.calls_cut_by_kills} calls cut by kills, ${figures.seconds} s, --seed ${SEED})`,
  );
  for (const problem of problems.slice(0, 20)) console.log(`problem: ${problem}`);
  if (verdict.lost || verdict.doubled || verdict.reordered || !intact || problems.length > 0) {
    throw new Error(`the crash loop found ${problems.length} problems besides the figures above`);
  }
  return figures;
});

function seen(data: Json): Seen {
  return { seq: Number(data.seq), sender: String(data.sender), message: String(data.message) };
}

/** A room's whole history through get_messages, oldest first, as one of its members reads it. */
async function wholeHistory(link: Link, member: Member): Promise<Seen[]> {
  const history: Seen[] = [];
  for (;;) {
    const page = await link.call("get_messages", {
      room_id: member.room,
      client_id: member.clientId,
      limit: 200,
      after_seq: history.at(-1)?.seq ?? 0,
    });
    if (page.isError) throw new Error(`get_messages: ${JSON.stringify(page.data)}`);
    history.push(...(page.data.messages as Json[]).map(seen));
    if (!page.data.has_more) return history;
  }
}
