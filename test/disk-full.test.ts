// A real full disk under the compiled binary: its database on a small tmpfs, filled up. A send
// gets storage_unavailable and no acknowledgement, reads and waits go on, and once space returns
// the retry goes through without a restart; nothing acknowledged is lost. Needs mount (root, and
// a machine that lets it mount a tmpfs): otherwise it says so and is skipped.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { call, cleanUp, httpClient, ok, startHttp } from "./helpers.ts";

const mountPoint = mkdtempSync(join(tmpdir(), "mcp-chat-full-"));
const mounted = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", mountPoint]).exitCode === 0;
if (!mounted) console.log(`disk-full.test.ts: skipped, this machine does not let the test mount a tmpfs at ${mountPoint}`);
afterAll(async () => {
  await cleanUp();
  if (mounted) Bun.spawnSync(["umount", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

describe("a full disk under the binary", () => {
  test.skipIf(!mounted)(
    "sends get storage_unavailable, reads and waits go on, and it recovers by itself",
    async () => {
      const ballast = join(mountPoint, "ballast");
      // Ann alone sends until the disk is full: no loop guard (issue 18), which would pause her at 50.
      const server = await startHttp(join(mountPoint, "chat.db"), ["--loop-guard", "0"]);
      const [ann, ben] = [await httpClient(server, "ann"), await httpClient(server, "ben")];
      await ok(ann, "join_room", { room_id: "full", display_name: "Ann" });
      await ok(ben, "join_room", { room_id: "full", display_name: "Ben" });
      writeFileSync(ballast, Buffer.alloc(1024 * 1024)); // leaves the database a little room
      const acked: number[] = [];
      let refusal: { data: { code: string; error: string } } | undefined;
      for (let i = 1; i <= 400 && !refusal; i++) {
        const reply = await call(ann, "send_message", { room_id: "full", message: `${i} ${"x".repeat(7_990)}`, client_msg_id: `m${i}` });
        if (reply.isError) refusal = reply;
        else acked.push(reply.data.seq);
      }
      expect(refusal?.data).toMatchObject({ code: "storage_unavailable", error: expect.stringContaining("disk is full") });
      expect(acked.length).toBeGreaterThan(0);

      const delivered: number[] = [];
      for (;;) {
        const got = await ok(ben, "wait_for_message", { room_id: "full", timeout: 0 });
        if (got.timeout) break;
        delivered.push(got.seq);
      }
      expect(delivered).toEqual(acked);
      const history = await ok(ben, "get_messages", { room_id: "full", after_seq: acked[0]! - 1, limit: 200 });
      expect(history.messages.map((m: { seq: number }) => m.seq)).toEqual(acked.slice(0, history.messages.length));

      rmSync(ballast); // space returns
      const failed = acked.length + 1;
      const retried = await ok(ann, "send_message", {
        room_id: "full",
        message: `${failed} ${"x".repeat(7_990)}`,
        client_msg_id: `m${failed}`,
      });
      expect(retried.seq).toBe(acked.at(-1)! + 1);
      expect(await ok(ben, "wait_for_message", { room_id: "full", timeout: 5 })).toMatchObject({ seq: retried.seq });
      // No call ended in internal_error along the way (the server logs each one as "<tool> failed").
      expect(server.stderr()).not.toMatch(/(enter_queue|join_room|send_message|wait_for_message|get_messages|leave_chat|whoami) failed/);
    },
    60_000,
  );
});
