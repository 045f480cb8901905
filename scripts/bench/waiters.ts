// Figure 3: W blocked wait_for_message calls held at once over HTTP, as W agents would hold them:
// each waiter is its own participant on its own MCP session (--sessions N shares N sessions among
// them, each call naming its client_id), in rooms of up to 100 listeners plus
// one sender; then the same waits in the 2026 era, where no session exists, each call standing alone. Reports the server's RSS (idle, with the sessions open, with every wait held), the
// cost per waiter, and how long after the senders spoke each waiter had its message. The same
// waits are then held by two floors, one after the other: the SDK transport and Server alone with
// in-memory tools (sdk-floor-server.ts, the same MCP calls) and the bare Bun.serve long-poll
// server (bare-server.ts).
// Needs BUN_CONFIG_MAX_HTTP_REQUESTS above W in this process's environment (main.ts sets it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  cpuSecondsOf,
  log,
  McpSession,
  median,
  memoryOf,
  numberFlag,
  ownCpuSeconds,
  percentile,
  quick,
  round,
  runBench,
  type Served,
  sleep,
  startFloor,
  startServer,
  tempDir,
  within,
} from "./lib.ts";

const WAITERS = numberFlag("waiters", quick ? 1_000 : 10_000);
/** MCP sessions the waiters use; by default each waiter has its own, as separate agents would. */
const SESSIONS = Math.min(numberFlag("sessions", WAITERS), WAITERS);
/** Each server holds and wakes the waits this many times; its figures are the medians. */
const ROUNDS = numberFlag("rounds", quick ? 1 : 3);
const PER_ROOM = 100;
const ROOMS = Math.ceil(WAITERS / PER_ROOM);
/** Parallel set-up requests (sessions, joins). */
const SETUP_CONCURRENCY = 64;
/** Waits are opened in batches, so the listen backlog never overflows. */
const BATCH = 250;
const MB = 1024 * 1024;

const maxRequests = Number(process.env.BUN_CONFIG_MAX_HTTP_REQUESTS ?? 256);
if (maxRequests < WAITERS + 100) {
  console.error(`waiters.ts: set BUN_CONFIG_MAX_HTTP_REQUESTS to at least ${WAITERS + 100} (it is ${maxRequests})`);
  process.exit(2);
}

/** Runs `work` over 0..count-1 with at most `concurrency` at once. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Established TCP connections whose local end is `port` (the server's side). */
function establishedTo(port: number): number {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .filter((line) => {
      const cols = line.trim().split(/\s+/);
      return cols[1]?.endsWith(hex) && cols[3] === "01";
    }).length;
}

/** The same W waits held by the bare Bun.serve long-poll server: the floor for memory and waking. */
async function bareFloor(): Promise<{ idle: number; held: number; wakeMax: number }> {
  const bare = await startFloor("bare-server.ts");
  await sleep(200);
  const idle = memoryOf(bare.pid).rss;
  const health = new URL("/health", bare.url);
  const held = async () => ((await (await fetch(health)).json()) as { waiting: number }).waiting;
  const post = (path: string, body: object) =>
    fetch(new URL(path, bare.url), { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(60_000) }).then(
      (r) => r.json() as Promise<{ message?: string }>,
    );
  const returned: number[] = [];
  const pending: Promise<unknown>[] = [];
  for (let start = 0; start < WAITERS; start += BATCH) {
    const end = Math.min(WAITERS, start + BATCH);
    for (let i = start; i < end; i++) {
      pending.push(post(`/wait/room-${i % ROOMS}`, { i }).then(() => returned.push(performance.now())));
    }
    for (let tries = 0; tries < 200 && (await held()) < end; tries++) await sleep(25);
  }
  await sleep(1_000);
  const heldRss = memoryOf(bare.pid).rss;
  const sentAt = performance.now();
  await Promise.all(Array.from({ length: ROOMS }, (_, r) => post(`/send/room-${r}`, { message: `wake ${r}` })));
  await within(Promise.all(pending), 60_000, "every bare waiter to return");
  const wakeMax = Math.max(...returned) - sentAt;
  log(
    `bare server: RSS ${(idle / MB).toFixed(1)} MB idle, ${(heldRss / MB).toFixed(1)} MB holding ${WAITERS}; all woken after ${wakeMax.toFixed(0)} ms`,
  );
  await bare.stop();
  return { idle, held: heldRss, wakeMax };
}

interface Waiter {
  session: McpSession;
  room: string;
  clientId: string;
}

/** A room's sender: it speaks once every wait is held. */
interface Sender {
  session: McpSession;
  clientId: string;
  /** The room's last seq before the waits: what its waiters wait after. */
  lastSeq: number;
}

async function openSessions(url: string, count: number): Promise<McpSession[]> {
  const sessions: McpSession[] = new Array(count);
  await pool(count, SETUP_CONCURRENCY, async (k) => void (sessions[k] = await McpSession.open(url)));
  return sessions;
}

async function senderOn(session: McpSession, room: string, clientId: string): Promise<Sender> {
  const page = await session.call("get_messages", { room_id: room, client_id: clientId, limit: 1 });
  return { session, clientId, lastSeq: Number((page.messages as { seq: number }[])[0]?.seq ?? 0) };
}

/**
 * Holds every waiter's wait_for_message on `server` and confirms they are held, then wakes them
 * all with one message per room: what the server's RSS was while it held them, and when each
 * waiter had its message.
 */
async function holdAndWake(label: string, server: Served, waiters: Waiter[], senders: Map<string, Sender>) {
  const port = Number(new URL(server.url).port);
  // Hold every wait, a batch at a time: the next batch goes once the server has taken the last
  // one in (its /health "waiting" count, where the server reports one, else its connection count),
  // so the listen backlog never overflows into SYN retries.
  const health = new URL("/health", server.url);
  const serverWaiting = async (): Promise<number | undefined> => {
    const reply = (await (await fetch(health, { signal: AbortSignal.timeout(10_000) })).json()) as { waiting?: number };
    return typeof reply.waiting === "number" ? reply.waiting : undefined;
  };
  const reportsWaiting = (await serverWaiting()) !== undefined;
  const taken = async () => (reportsWaiting ? (await serverWaiting())! : establishedTo(port));
  const returned: ({ at: number; message?: unknown; error?: string } | undefined)[] = new Array(WAITERS);
  const pending: Promise<void>[] = [];
  const holdStarted = performance.now();
  for (let start = 0; start < WAITERS; start += BATCH) {
    const end = Math.min(WAITERS, start + BATCH);
    for (let i = start; i < end; i++) {
      const { session, room, clientId } = waiters[i]!;
      const afterSeq = senders.get(room)!.lastSeq;
      const args = { room_id: room, client_id: clientId, after_seq: afterSeq, timeout: 120 };
      pending.push(
        session.call("wait_for_message", args, 150_000).then(
          (got) => void (returned[i] = { at: performance.now(), message: got.message }),
          (error: Error) => void (returned[i] = { at: performance.now(), error: error.message }),
        ),
      );
    }
    for (let tries = 0; tries < 200 && (await taken()) < end; tries++) await sleep(25);
  }
  await sleep(1_000);
  const early = returned.filter((r) => r !== undefined).length;
  const firstError = returned.find((r) => r?.error)?.error;
  if (firstError) log(`${label}: a wait failed: ${firstError}`);
  const connections = establishedTo(port);
  const waitingOnServer = reportsWaiting ? await serverWaiting() : undefined;
  const probe = senders.values().next().value!;
  let sampledWaiting = 0;
  const samples = Math.min(50, WAITERS);
  for (let s = 0; s < samples; s++) {
    const w = waiters[Math.floor((s * WAITERS) / samples)]!;
    const me = await probe.session.call("whoami", { client_id: w.clientId });
    if (Number(me.waiting_calls ?? 0) >= 1) sampledWaiting++;
  }
  const held = memoryOf(server.pid);
  log(
    `${label}: ${WAITERS - early} waits out (${early} returned early) after ${((performance.now() - holdStarted) / 1000).toFixed(1)} s: ` +
      `server counts ${waitingOnServer ?? "?"} waiting on ${connections} connections, ${sampledWaiting}/${samples} sampled waiters waiting; ` +
      `RSS ${(held.rss / MB).toFixed(1)} MB`,
  );

  // Wake them all: one message per room, all senders at once.
  const serverCpu0 = cpuSecondsOf(server.pid);
  const loadCpu0 = ownCpuSeconds();
  const sentAt = performance.now();
  await Promise.all(
    [...senders].map(async ([room, sender]) => {
      const sent = await sender.session.call("send_message", { room_id: room, client_id: sender.clientId, message: `wake ${room}` });
      sender.lastSeq = Number(sent.seq); // the next round waits after it
    }),
  );
  const sendsDone = performance.now() - sentAt;
  await within(Promise.all(pending), 60_000, `every ${label} waiter to return`);
  const wakeWall = (performance.now() - sentAt) / 1000;
  const latencies: number[] = [];
  let woken = 0;
  let errors = 0;
  for (let i = 0; i < WAITERS; i++) {
    const r = returned[i]!;
    if (r.error) errors++;
    else if (r.message === `wake ${waiters[i]!.room}`) woken++;
    latencies.push(r.at - sentAt);
  }
  const wakeServerCpu = cpuSecondsOf(server.pid) - serverCpu0;
  log(
    `${label}: ${woken}/${WAITERS} woken with their message (${errors} errors); last after ${percentile(latencies, 100).toFixed(0)} ms, ` +
      `p50 ${percentile(latencies, 50).toFixed(0)} ms; sends answered after ${sendsDone.toFixed(0)} ms; ` +
      `server CPU ${wakeServerCpu.toFixed(2)} s, load generator ${(ownCpuSeconds() - loadCpu0).toFixed(2)} s`,
  );
  return {
    held: waitingOnServer ?? WAITERS - early,
    heldAll: early === 0 && sampledWaiting === samples && (waitingOnServer ?? connections) >= WAITERS,
    connections,
    rss: held.rss,
    anon: held.anon,
    file: held.file,
    peak: memoryOf(server.pid).peak,
    woken,
    errors,
    wakeP50: percentile(latencies, 50),
    wakeP99: percentile(latencies, 99),
    wakeMax: percentile(latencies, 100),
    wakeWall,
    wakeServerCpu,
  };
}

/**
 * holdAndWake ROUNDS times on one server: the times are the medians of the rounds. RSS is the
 * first round's: Bun keeps what a round's garbage took (317, 345, 471 MB in three rounds), so
 * only the first reading is what a server reaches holding W waits.
 */
async function holdAndWakeRounds(label: string, server: Served, waiters: Waiter[], senders: Map<string, Sender>) {
  const rounds: Awaited<ReturnType<typeof holdAndWake>>[] = [];
  for (let r = 1; r <= ROUNDS; r++) rounds.push(await holdAndWake(ROUNDS > 1 ? `${label} round ${r}` : label, server, waiters, senders));
  const mid = (figure: (round: (typeof rounds)[number]) => number) => median(rounds.map(figure));
  return {
    held: Math.min(...rounds.map((r) => r.held)),
    heldAll: rounds.every((r) => r.heldAll),
    connections: mid((r) => r.connections),
    rss: rounds[0]!.rss,
    anon: rounds[0]!.anon,
    file: rounds[0]!.file,
    peak: Math.max(...rounds.map((r) => r.peak)),
    woken: Math.min(...rounds.map((r) => r.woken)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    wakeP50: mid((r) => r.wakeP50),
    wakeP99: mid((r) => r.wakeP99),
    wakeMax: mid((r) => r.wakeMax),
    wakeWall: mid((r) => r.wakeWall),
    wakeServerCpu: mid((r) => r.wakeServerCpu),
  };
}

/**
 * The same waits held by the SDK floor. It keeps everything in memory, so its participants are
 * made on the server measured, after the reading with idle sessions: each joins on the session it
 * then waits on (with --sessions N, beyond the first N, on a session of its own for the join).
 */
async function sdkFloor() {
  const floor = await startFloor("sdk-floor-server.ts");
  await sleep(200);
  const idle = memoryOf(floor.pid).rss;
  const sessions = await openSessions(floor.url, SESSIONS);
  await sleep(300);
  const withSessions = memoryOf(floor.pid).rss;
  const waiters: Waiter[] = new Array(WAITERS);
  await pool(WAITERS, SETUP_CONCURRENCY, async (i) => {
    const room = `room-${i % ROOMS}`;
    const own = sessions[i] ?? (await McpSession.open(floor.url));
    const joined = await own.call("join_room", { room_id: room, display_name: `W${i}` });
    if (!sessions[i]) await own.close();
    waiters[i] = { session: sessions[i % SESSIONS]!, room, clientId: String(joined.client_id) };
  });
  const senders = new Map<string, Sender>();
  await pool(ROOMS, SETUP_CONCURRENCY, async (r) => {
    const room = `room-${r}`;
    const session = await McpSession.open(floor.url);
    const joined = await session.call("join_room", { room_id: room, display_name: `Sender${r}` });
    senders.set(room, await senderOn(session, room, String(joined.client_id)));
  });
  await sleep(300);
  const joined = memoryOf(floor.pid).rss;
  log(
    `sdk floor: RSS ${(idle / MB).toFixed(1)} MB idle, ${(withSessions / MB).toFixed(1)} MB with ${SESSIONS} idle sessions, ${(joined / MB).toFixed(1)} MB with the participants`,
  );
  const figures = await holdAndWakeRounds("sdk floor", floor, waiters, senders);
  await Promise.all(sessions.map((session) => session.close()));
  await floor.stop();
  return { idle, withSessions, joined, ...figures };
}

/** The same waits held in the 2026 era, on a fresh server on the same file: no session, no initialize. */
async function modernEra(db: string, flags: string[], made: { room: string; clientId: string }[], senderIds: Map<string, string>) {
  const server = await startServer(db, flags);
  await sleep(200);
  const idle = memoryOf(server.pid);
  // One client object serves every waiter: a 2026 request carries all it needs.
  const client = new McpSession(server.url, "2026");
  const waiters: Waiter[] = made.map((m) => ({ ...m, session: client }));
  const senders = new Map<string, Sender>();
  for (const [room, clientId] of senderIds) senders.set(room, await senderOn(new McpSession(server.url, "2026"), room, clientId));
  const figures = await holdAndWakeRounds("mcp-chat 2026", server, waiters, senders);
  await server.stop();
  return { idle: idle.rss, ...figures };
}

await runBench("waiters", 400_000, async () => {
  const db = join(tempDir(), "chat.db");
  const flags = ["--max-members", String(PER_ROOM + 1), "--max-wait", "300"];

  // Set-up, on a server of its own: W participants in rooms of up to 100, plus one sender per
  // room who joins last. A session keeps the identity of its first join, so each participant is
  // made on a session of its own. The participants and rooms stay in the file for the next server.
  const setupStarted = performance.now();
  const maker = await startServer(db, flags);
  const made: { room: string; clientId: string }[] = new Array(WAITERS);
  await pool(WAITERS, SETUP_CONCURRENCY, async (i) => {
    const room = `room-${i % ROOMS}`;
    const joined = await (await McpSession.open(maker.url)).call("join_room", { room_id: room, display_name: `W${i}` });
    made[i] = { room, clientId: String(joined.client_id) };
  });
  const senderIds = new Map<string, string>();
  await pool(ROOMS, SETUP_CONCURRENCY, async (r) => {
    const joined = await (await McpSession.open(maker.url)).call("join_room", { room_id: `room-${r}`, display_name: `Sender${r}` });
    senderIds.set(`room-${r}`, String(joined.client_id));
  });
  await maker.stop();
  const setupSeconds = (performance.now() - setupStarted) / 1000;

  // The measured server: fresh, on the same file. Each waiter opens its session (or shares one of
  // --sessions N) and names itself by client_id. Each waits with after_seq = the room's last seq,
  // as an agent that had read everything would (the joins after its own are not news).
  const server = await startServer(db, flags);
  await sleep(200);
  const idle = memoryOf(server.pid);
  log(
    `set up ${WAITERS} participants in ${ROOMS} rooms in ${setupSeconds.toFixed(1)} s; ` +
      `server idle: RSS ${(idle.rss / MB).toFixed(1)} MB; opening ${SESSIONS} sessions`,
  );
  const sessions = await openSessions(server.url, SESSIONS);
  const waiters: Waiter[] = made.map((m, i) => ({ ...m, session: sessions[i % SESSIONS]! }));
  const senders = new Map<string, Sender>();
  for (const [room, clientId] of senderIds) senders.set(room, await senderOn(await McpSession.open(server.url), room, clientId));
  await sleep(300);
  const withSessions = memoryOf(server.pid);
  log(`RSS with ${SESSIONS} idle sessions ${(withSessions.rss / MB).toFixed(1)} MB`);
  const h = await holdAndWakeRounds("mcp-chat", server, waiters, senders);
  await Promise.all(sessions.map((session) => session.close()));
  await server.stop();
  const modern = await modernEra(db, flags, made, senderIds);
  const sdk = await sdkFloor();
  const floor = await bareFloor();

  return {
    waiters: WAITERS,
    rounds: ROUNDS,
    sessions: SESSIONS,
    rooms: ROOMS,
    held: h.held,
    held_all: h.heldAll,
    server_connections: h.connections,
    rss_idle_mb: round(idle.rss / MB, 1),
    rss_sessions_mb: round(withSessions.rss / MB, 1),
    rss_held_mb: round(h.rss / MB, 1),
    rss_held_anon_mb: round(h.anon / MB, 1),
    rss_held_file_mb: round(h.file / MB, 1),
    rss_peak_mb: round(h.peak / MB, 1),
    kb_per_session: round((withSessions.rss - idle.rss) / SESSIONS / 1024, 1),
    kb_per_held_wait: round((h.rss - withSessions.rss) / WAITERS / 1024, 1),
    kb_per_waiter: round((h.rss - idle.rss) / WAITERS / 1024, 1),
    woken: h.woken,
    woken_errors: h.errors,
    wake_p50_ms: round(h.wakeP50, 1),
    wake_p99_ms: round(h.wakeP99, 1),
    wake_max_ms: round(h.wakeMax, 1),
    all_woken_within_1s: h.woken === WAITERS && h.wakeMax <= 1000,
    wake_wall_s: round(h.wakeWall, 2),
    wake_server_cpu_s: round(h.wakeServerCpu, 2),
    setup_seconds: round(setupSeconds, 1),
    era2026_held: modern.held,
    era2026_held_all: modern.heldAll,
    era2026_rss_idle_mb: round(modern.idle / MB, 1),
    era2026_rss_held_mb: round(modern.rss / MB, 1),
    era2026_kb_per_held_wait: round((modern.rss - modern.idle) / WAITERS / 1024, 1),
    era2026_woken: modern.woken,
    era2026_wake_p50_ms: round(modern.wakeP50, 1),
    era2026_wake_p99_ms: round(modern.wakeP99, 1),
    era2026_wake_max_ms: round(modern.wakeMax, 1),
    sdk_floor_held: sdk.held,
    sdk_floor_held_all: sdk.heldAll,
    sdk_floor_rss_idle_mb: round(sdk.idle / MB, 1),
    sdk_floor_rss_sessions_mb: round(sdk.withSessions / MB, 1),
    sdk_floor_rss_joined_mb: round(sdk.joined / MB, 1),
    sdk_floor_rss_held_mb: round(sdk.rss / MB, 1),
    sdk_floor_rss_held_anon_mb: round(sdk.anon / MB, 1),
    sdk_floor_rss_held_file_mb: round(sdk.file / MB, 1),
    sdk_floor_rss_peak_mb: round(sdk.peak / MB, 1),
    sdk_floor_kb_per_session: round((sdk.withSessions - sdk.idle) / SESSIONS / 1024, 1),
    // From the reading with the participants made, which mcp-chat keeps in its file instead.
    sdk_floor_kb_per_held_wait: round((sdk.rss - sdk.joined) / WAITERS / 1024, 1),
    sdk_floor_woken: sdk.woken,
    sdk_floor_wake_p50_ms: round(sdk.wakeP50, 1),
    sdk_floor_wake_max_ms: round(sdk.wakeMax, 1),
    sdk_floor_wake_server_cpu_s: round(sdk.wakeServerCpu, 2),
    bare_rss_idle_mb: round(floor.idle / MB, 1),
    bare_rss_held_mb: round(floor.held / MB, 1),
    bare_kb_per_held_wait: round((floor.held - floor.idle) / WAITERS / 1024, 1),
    bare_wake_max_ms: round(floor.wakeMax, 1),
  };
});
