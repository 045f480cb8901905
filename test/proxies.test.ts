// The reverse-proxy snippets of docs/DEPLOY.md, run: nginx and Caddy from Debian's packages in
// front of the binary, and a 45 s quiet wait through each, kept alive by progress alone, that ends
// with the message sent at its end. Skipped, saying why, where the packages cannot be had.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { withDebianPackages } from "./debian-packages.ts";
import { cleanUp, elapsed, httpClient, ok, startHttp, tempDb, tempDir } from "./helpers.ts";

afterAll(cleanUp);

const running: Subprocess[] = [];
afterAll(() => {
  for (const child of running) child.kill("SIGKILL");
});

const WAIT_SECONDS = 45;
const executable =
  (...paths: string[]) =>
  () =>
    paths.find((path) => existsSync(path));
const nginx = withDebianPackages(["nginx"], executable("/usr/sbin/nginx"));
const caddy = withDebianPackages(["caddy"], executable("/usr/bin/caddy"));
for (const [name, found] of [
  ["nginx", nginx],
  ["Caddy", caddy],
] as const) {
  if (typeof found !== "string") console.warn(`skipped the ${name} test: ${found.skip}`);
}

/** A port nobody listens on now. */
function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const { port } = probe;
  probe.stop(true);
  return port!;
}

/** Starts a proxy and waits until its port answers. */
async function startProxy(command: string[], port: number, env: Record<string, string> = {}): Promise<URL> {
  const child = Bun.spawn(command, { stdout: "ignore", stderr: "pipe", env: { ...process.env, ...env } });
  running.push(child);
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(new URL("/", url)).then(
        () => true,
        () => false,
      )
    )
      return url;
    await Bun.sleep(50);
  }
  throw new Error(`${command[0]} did not start: ${await new Response(child.stderr).text()}`);
}

async function behindNginx(upstream: URL): Promise<URL> {
  const dir = tempDir();
  const port = freePort();
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, sub));
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
    (kind, i) => `${kind}_temp_path ${join(dir, ["body", "proxy", "fastcgi", "uwsgi", "scgi"][i]!)};`,
  );
  writeFileSync(
    join(dir, "nginx.conf"),
    `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events {}
http {
  access_log off; ${temp.join(" ")}
  server {
    listen 127.0.0.1:${port};
    # docs/DEPLOY.md, as written:
    location /mcp {
      proxy_pass http://127.0.0.1:${upstream.port};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 360s;
    }
  }
}
`,
  );
  return startProxy([nginx as string, "-c", join(dir, "nginx.conf"), "-p", dir], port);
}

async function behindCaddy(upstream: URL): Promise<URL> {
  const dir = tempDir();
  const port = freePort();
  // docs/DEPLOY.md's site block, on plain HTTP and this port (no certificate in a test).
  writeFileSync(
    join(dir, "Caddyfile"),
    `{
  admin off
  auto_https off
}
http://127.0.0.1:${port} {
  reverse_proxy /mcp 127.0.0.1:${upstream.port} {
    flush_interval -1
  }
}
`,
  );
  return startProxy([caddy as string, "run", "--config", join(dir, "Caddyfile"), "--adapter", "caddyfile"], port, {
    XDG_DATA_HOME: dir,
    XDG_CONFIG_HOME: dir,
    HOME: dir,
  });
}

describe("behind the reverse proxies of docs/DEPLOY.md", () => {
  test.skipIf(typeof nginx !== "string" || typeof caddy !== "string")(
    `a ${WAIT_SECONDS} s quiet wait through nginx and through Caddy ends with the message sent at its end`,
    async () => {
      const server = await startHttp(tempDb(), ["--trust-proxy"]);
      const proxied = [await behindNginx(server.url), await behindCaddy(server.url)];
      await Promise.all(
        proxied.map(async (url, i) => {
          const room = `proxied-${i}`;
          const waiter = await httpClient(url, "waiter");
          const sender = await httpClient(url, "sender");
          await ok(waiter, "join_room", { room_id: room, display_name: "Waiter" });
          await ok(sender, "join_room", { room_id: room, display_name: "Sender" });
          await ok(waiter, "wait_for_message", { room_id: room, timeout: 0 }); // "Sender joined"
          // A client whose time-out (20 s) only progress keeps off: a proxy that buffered the stream
          // would hold the progress back, and the call would fail.
          const progress: number[] = [];
          const options = {
            timeout: 20_000,
            resetTimeoutOnProgress: true,
            onprogress: (p: { progress: number }) => void progress.push(p.progress),
          };
          const waiting = elapsed(ok(waiter, "wait_for_message", { room_id: room, timeout: WAIT_SECONDS + 30 }, options));
          await Bun.sleep(WAIT_SECONDS * 1000);
          await ok(sender, "send_message", { room_id: room, message: "still there?" });
          const [got, ms] = await waiting;
          expect(got).toMatchObject({ message: "still there?", sender: "Sender" });
          expect(ms).toBeGreaterThan(WAIT_SECONDS * 1000);
          expect(progress.length).toBeGreaterThanOrEqual(4); // every 10 s
        }),
      );
    },
    120_000,
  );
});
