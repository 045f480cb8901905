// The error catalogue (src/errors.ts) and the docs' table of error codes say the same thing.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { chatErrors } from "../../src/errors.ts";

const ROOT = resolve(import.meta.dir, "..", "..");

/** The codes in the first table under a "## Error codes" heading, in README.md or a page of docs/. */
function documentedCodes(): string[] {
  const pages = ["README.md", ...readdirSync(join(ROOT, "docs")).map((page) => join("docs", page))];
  for (const page of pages.filter((p) => p.endsWith(".md"))) {
    const text = readFileSync(join(ROOT, page), "utf8");
    const section = text.split(/^## Error codes$/m)[1];
    if (section) return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]!);
  }
  throw new Error("no '## Error codes' section in README.md or docs/");
}

test("every error code is documented, and every documented code exists", () => {
  expect(documentedCodes().sort()).toEqual(Object.keys(chatErrors).sort());
});

test("every code is snake_case and every message reads as a sentence", () => {
  const samples: Record<string, unknown[]> = {
    invalid_input: ["send_message", "room_id is required"],
    invalid_client_name: ["cannot contain control characters"],
    room_private: ["r"],
    room_full: ["r", 100],
    too_many_waits: [8],
    rate_limited: ["messages", 600, 2],
    not_permitted: ['the room "x"'],
    storage_unavailable: ["its disk is full"],
    unknown_message: [7, "r"],
    handle_taken: ["ann"],
    unknown_handle: ["ann"],
    nothing_sent: ["r"],
    room_paused: ["r", 50],
  };
  for (const [code, message] of Object.entries(chatErrors)) {
    expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
    const text = (message as (...args: unknown[]) => string)(...(samples[code] ?? []));
    expect(text).toMatch(/^[A-Z]/);
    expect(text).not.toMatch(/undefined|\[object/);
  }
});
