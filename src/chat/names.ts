// What a name may not be: names show up in every client's display, next to other people's.

/** Control characters would garble the display. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Direction overrides and isolates (U+202A-202E, U+2066-2069) would let one name pass for another. */
export const DIRECTION_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/** A name must show something: a letter, digit, punctuation mark or symbol, not only blanks. */
export const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** Why a (trimmed) name cannot be used, or undefined if it can. */
export function nameProblem(name: string): string | undefined {
  if (CONTROL_CHARACTERS.test(name)) return "cannot contain control characters";
  if (DIRECTION_CONTROLS.test(name)) return "cannot contain text-direction controls";
  if (!VISIBLE.test(name)) return "needs at least one visible character";
  return undefined;
}
