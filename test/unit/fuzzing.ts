// Shared by the fuzz suites: fast-check arbitraries for hostile input (the strings, numbers and
// shapes an attacker or a confused model sends), and a time limit on each answer.
import fc from "fast-check";

/** Characters that break displays, parsers or storage: controls, bidi, separators, invisibles, broken UTF-16. */
const NASTY_CHARACTERS = [
  "\u0000",
  "\u0007",
  "\u001b",
  "\u007f",
  "\u0085",
  "\t",
  "\n",
  "\r",
  "\u200b",
  "\u200c",
  "\u200d",
  "\u2060",
  "\ufeff",
  "\u00ad",
  "\u034f",
  "\u115f",
  "\u3164",
  "\u2800",
  "\u200e",
  "\u200f",
  "\u061c",
  "\u202a",
  "\u202e",
  "\u2066",
  "\u2069",
  "\u2028",
  "\u2029",
  "\u00a0",
  "\u3000",
  "\ud800",
  "\udfff",
  "\ud83d",
  "\ude00",
  "😀",
  "👩‍👩‍👧",
  "\ufffd",
  "\uffff",
  "'",
  '"',
  "\\",
  "%",
  "_",
  "/",
  "..",
  "<script>",
  "${",
  "{{",
];

/** One character, mostly the nasty ones. */
const character = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_CHARACTERS) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) },
);

const BIG = 1 << 20;
/** Strings: empty, blank, nasty, long, over every limit, and one of a mebibyte. */
export const nastyString = fc.oneof(
  fc.constantFrom("", " ", "   ", "system", "System", " system ", "null", "undefined", "__proto__", "constructor"),
  fc.string({ unit: character, maxLength: 12 }),
  fc.string({ maxLength: 70 }),
  fc
    .constantFrom(64, 65, 200, 201, 8_000, 8_001, 100_000, BIG)
    .chain((length) =>
      fc.constantFrom("x", "😀", "\u200b", "\ud800").map((unit) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
    ),
);

/** Numbers out of range or of the wrong kind. */
export const nastyNumber = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 1e-300, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE),
  fc.double(),
  fc.integer(),
);

/** Anything JSON can carry, and what it cannot (undefined, a NaN), nested a little. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, undefined, true, false, [], {}) },
  { weight: 1, arbitrary: fc.array(fc.oneof(nastyString, nastyNumber), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 5 }), nastyNumber, { maxKeys: 3 }) },
);

/** Keys that pollute prototypes, or look like they might. */
export const pollutingKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf");

/**
 * An arguments object: each known field left out, given a likely value or a nasty one, plus extra
 * keys. Built with Object.fromEntries, so "__proto__" is an own key, as JSON.parse would make it.
 */
export function argumentsOf(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(fields).map(([key, likely]) =>
    fc.option(
      fc.oneof(likely, nastyValue).map((value) => [key, value] as const),
      { nil: undefined, freq: 4 },
    ),
  );
  const extra = fc.array(fc.tuple(fc.oneof(pollutingKey, fc.string({ maxLength: 8 })), nastyValue), { maxLength: 2 });
  return fc
    .tuple(fc.tuple(...entries), extra)
    .map(([known, more]) => Object.fromEntries([...known.filter((entry) => entry !== undefined), ...more]));
}

/** Rejects if `work` has not settled within `ms`: a hang fails the property instead of the suite's time-out. */
export async function within<T>(work: Promise<T> | T, ms: number, what: string): Promise<T> {
  let timer: Timer | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export const INITIALIZE_PARAMS = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "fuzz", version: "1" } };

const toolCall = fc.record({
  name: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom("join_room", "send_message", "wait_for_message", "whoami", "get_messages") },
    nastyString,
  ),
  arguments: fc.oneof(fc.constant({ room_id: "fuzz", display_name: "Fuzz", message: "hi", timeout: 0.1 }), nastyValue),
});
const wellMeant = fc.record({
  jsonrpc: fc.constant("2.0"),
  id: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom("a", "b")),
  method: fc.constantFrom("tools/call", "tools/call", "tools/list", "ping", "initialize", "notifications/cancelled"),
  params: fc.oneof({ weight: 3, arbitrary: toolCall }, fc.constant(INITIALIZE_PARAMS), fc.constant({ requestId: 1 })),
});
const mangled = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant("2.0"), nastyValue),
    id: fc.oneof(fc.constant(null), nastyNumber, nastyString, nastyValue),
    method: fc.oneof(fc.constantFrom("tools/call", "notifications/initialized", "resources/list"), nastyString),
    params: fc.oneof(toolCall, nastyValue),
  },
  { requiredKeys: [] },
);
/** A JSON-RPC message: mostly one a client means (often a tools/call), else mangled in every field. */
export const message = fc.oneof({ weight: 2, arbitrary: wellMeant }, mangled);
/** A batch repeats ids on purpose: a repeated id must not leave work running (issue 19, #4). */
export const batch = fc
  .array(message, { minLength: 1, maxLength: 5 })
  .map((messages) => messages.map((m, i) => (i % 2 ? { ...m, id: 1 } : m)));
