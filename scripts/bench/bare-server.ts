// The floor: a bare Bun.serve long-poll server, no MCP and no storage (messages not yet taken
// wait in memory). POST /wait/ROOM returns the room's oldest untaken message, blocking until
// POST /send/ROOM brings one; both read a small JSON body and answer JSON. GET /health counts the
// blocked waits.
// Run: bun scripts/bench/bare-server.ts  (prints "bare listening on URL", stops on SIGTERM or after 10 min).
const waiting = new Map<string, ((message: unknown) => void)[]>();
const untaken = new Map<string, unknown[]>();
let held = 0;

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(request) {
    const [, action, room = ""] = new URL(request.url).pathname.split("/");
    if (action === "health") return Response.json({ status: "ok", waiting: held });
    const body = (await request.json()) as { message?: string };
    if (action === "wait") {
      const queued = untaken.get(room);
      if (queued?.length) {
        const message = queued.shift();
        if (queued.length === 0) untaken.delete(room);
        return Response.json({ message });
      }
      held++;
      return new Promise<Response>((resolve) => {
        const list = waiting.get(room) ?? [];
        list.push((message) => {
          held--;
          resolve(Response.json({ message }));
        });
        waiting.set(room, list);
      });
    }
    if (action === "send") {
      const list = waiting.get(room) ?? [];
      waiting.delete(room);
      for (const wake of list) wake(body.message);
      if (list.length === 0) untaken.set(room, [...(untaken.get(room) ?? []), body.message]);
      return Response.json({ success: true, woke: list.length });
    }
    return new Response("not found", { status: 404 });
  },
});

console.log(`bare listening on ${server.url}`);
process.on("SIGTERM", () => process.exit(0));
setTimeout(() => process.exit(0), 600_000); // a bound, should the benchmark forget to stop it
