// The database file holds every message and the --as tokens: one that mcp-chat makes is its
// owner's alone, -wal and -shm too (issue 19, #12). A file that exists keeps the mode it has.
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/open.ts";

const dir = mkdtempSync(join(tmpdir(), "mcp-chat-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("the database file", () => {
  test("made by mcp-chat, with its -wal and -shm, it is readable by its owner only", () => {
    const path = join(dir, "new", "chat.db");
    const db = openDatabase(path);
    db.$client.run("CREATE TABLE written (x)"); // a write: the -wal file exists from now on
    expect({ db: modeOf(path), wal: modeOf(`${path}-wal`), shm: modeOf(`${path}-shm`) }).toEqual({ db: 0o600, wal: 0o600, shm: 0o600 });
    expect(modeOf(join(dir, "new"))).toBe(0o700);
    db.$client.close();
  });

  test("one that exists keeps its mode, and the process its umask", () => {
    const path = join(dir, "shared.db");
    writeFileSync(path, "");
    chmodSync(path, 0o640);
    const before = process.umask();
    openDatabase(path).$client.close();
    expect(modeOf(path)).toBe(0o640);
    expect(process.umask()).toBe(before);
  });
});
