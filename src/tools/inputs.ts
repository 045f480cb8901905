// Input fields shared by several tools, with the limits of the contract and messages a person reads.
import { z } from "zod";
import { WRITTEN_HANDLE } from "../chat/handles.ts";
import { nameProblem } from "../chat/names.ts";
import type { Limits, Timing } from "../config.ts";

/** A lone surrogate (broken UTF-16). SQLite would store it as U+FFFD, so two ids that differ only there would collide. */
const LONE_SURROGATE = /\p{Cs}/u;

/** The string as sent is what is stored: no broken UTF-16. */
export const wellFormed = (field: string) =>
  [(text: string) => !LONE_SURROGATE.test(text), { error: `${field} contains broken UTF-16 (a lone surrogate)` }] as const;

export const clientId = z
  .string()
  .min(1)
  .max(200)
  .refine(...wellFormed("client_id"))
  .optional()
  .describe(
    "Your client_id from enter_queue or join_room. Pass it on every call; only a 2025-era MCP session or a stdio connection remembers it for you.",
  );

/** What enter_queue and join_room say with the client_id they return, for models that would drop it. */
export const keepClientId = {
  text: "Keep this client_id and pass it on every later call: it is who you are here.",
  /** The two fields in the results; both left out when the identity is named outside the chat. */
  outputs: {
    client_id: z
      .string()
      .optional()
      .describe(
        "Your secret identity; pass it in later calls. Absent when your identity is set outside the chat (--as, X-MCP-Chat-Client).",
      ),
    hint: z.string().optional().describe("A reminder to pass client_id on every later call."),
  },
};

/** An @handle as a tool takes it: the stored form's rules (src/chat/handles.ts), an @ and any case allowed. */
export const handle = z
  .string({ error: "handle must be a string" })
  .regex(WRITTEN_HANDLE, { error: "handle must be 2-32 characters of a-z 0-9 _ -, a letter first" });

export const roomId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "room_id must be 1-64 characters of A-Z a-z 0-9 _ -" })
  .describe("The room, as returned by enter_queue or join_room.");

export const timeout = (timing: Timing) =>
  z
    .number({ error: "timeout must be a number of seconds" })
    .min(0, { error: "timeout cannot be negative" })
    .optional()
    .describe(
      `Seconds to block (default ${timing.defaultWaitSeconds}, at most ${timing.maxWaitSeconds}; more is clamped). 0 returns at once.`,
    );

export const seq = (what: string) =>
  z
    .number({ error: `${what} must be a whole number` })
    .int({ error: `${what} must be a whole number` })
    .min(0, { error: `${what} cannot be negative` })
    .optional();

export const displayName = (limits: Limits) =>
  z
    .string({ error: "display_name must be a string" })
    .trim()
    .min(1, { error: "display_name cannot be empty" })
    .max(limits.maxNameLength, { error: `display_name can be at most ${limits.maxNameLength} characters` })
    .superRefine((name, context) => {
      const problem = name && nameProblem(name); // an empty one is already "cannot be empty"
      if (problem) context.addIssue({ code: "custom", message: `display_name ${problem}` });
    })
    .refine(...wellFormed("display_name"))
    .describe(`The name others see, 1-${limits.maxNameLength} characters. Giving a new one renames you.`);
