// 2025-era sessions kept for restarts: what the database holds of them, and what it gives back.
import { expect, test } from "bun:test";
import { SessionRecords } from "../../src/db/http-sessions.ts";
import { openDatabase } from "../../src/db/open.ts";

test("a session comes back with its protocol revision and identity, and only by its own id", async () => {
  const db = openDatabase(":memory:");
  const records = new SessionRecords(db);
  records.add("session-a", undefined, "2025-06-18", 1_000);
  expect(await records.find("session-a", undefined, 0)).toEqual({ protocolVersion: "2025-06-18" });
  await records.setClientId("session-a", undefined, "c_secret-token");
  expect(await records.find("session-a", undefined, 0)).toEqual({ protocolVersion: "2025-06-18", clientId: "c_secret-token" });
  expect(await records.find("session-b", undefined, 0)).toBeUndefined();

  // The file alone gives away neither the session id nor the client_id.
  const rows = db.$client.query("SELECT * FROM http_sessions").all();
  expect(JSON.stringify(rows)).not.toContain("session-a");
  expect(Buffer.from(JSON.stringify(rows)).toString()).not.toContain("secret-token");
  const sealed = db.$client
    .query<{ sealed_client_id: Uint8Array }, []>("SELECT sealed_client_id FROM http_sessions")
    .get()!.sealed_client_id;
  expect(Buffer.from(sealed).includes(Buffer.from("secret-token"))).toBe(false);
});

test("a session idle too long, or ended, does not come back", async () => {
  const records = new SessionRecords(openDatabase(":memory:"));
  records.add("old", undefined, "2025-11-25", 1_000);
  records.add("used", undefined, "2025-11-25", 1_000);
  records.touch([["used", undefined]], 5_000);
  expect(await records.find("old", undefined, 2_000)).toBeUndefined();
  expect(await records.find("used", undefined, 2_000)).toEqual({ protocolVersion: "2025-11-25" });
  records.forget("used", undefined);
  expect(await records.find("used", undefined, 0)).toBeUndefined();
  records.prune(2_000);
  expect(await records.find("old", undefined, 0)).toBeUndefined();
});

test("a session made under one access token is not found under another", async () => {
  const records = new SessionRecords(openDatabase(":memory:"));
  records.add("shared-id", "token:aaaa", "2025-11-25");
  expect(await records.find("shared-id", "token:aaaa", 0)).toEqual({ protocolVersion: "2025-11-25" });
  expect(await records.find("shared-id", "token:bbbb", 0)).toBeUndefined();
  expect(await records.find("shared-id", undefined, 0)).toBeUndefined();
});
