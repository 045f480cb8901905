// What a name may not be: names show up in every client's display, next to other people's.

/** Control characters would garble the display. */
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Direction overrides and isolates (U+202A-202E, U+2066-2069) would let one name pass for another. */
export const DIRECTION_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;

/**
 * Characters that show nothing: format characters (zero-width spaces and joiners, the marks
 * U+200E, U+200F and U+061C, the soft hyphen, the byte-order mark, ...) and the line and paragraph
 * separators U+2028 and U+2029, which break a line where no one expects it. A name with them can
 * look the same as another name.
 */
export const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}]/u;

/** A zero-width joiner between two emoji draws one emoji (👩‍💻): the one join that shows. */
const EMOJI_JOINER = /(?<=\p{Extended_Pictographic}\ufe0f?)\u200d(?=\p{Extended_Pictographic})/gu;

/** Letters and symbols that are drawn blank: Hangul fillers, the blank Braille pattern. */
const BLANK_LOOKING = /[\u115f\u1160\u3164\uffa0\u2800]/gu;

/** A name must show something: a letter, digit, punctuation mark or symbol, not only blanks. */
export const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

/** The sender name of room notices ("Ann joined"): nobody may pass for it. */
const SYSTEM_NAME = "system";

/** Why a (trimmed) name cannot be used, or undefined if it can. */
export function nameProblem(name: string): string | undefined {
  if (CONTROL_CHARACTERS.test(name)) return "cannot contain control characters";
  if (DIRECTION_CONTROLS.test(name)) return "cannot contain text-direction controls";
  if (!VISIBLE.test(name.replace(BLANK_LOOKING, ""))) return "needs at least one visible character";
  if (INVISIBLE.test(name.replace(EMOJI_JOINER, "")))
    return "cannot contain invisible characters (zero-width, direction marks, line separators)";
  if (name.normalize("NFKC").toLowerCase() === SYSTEM_NAME) return `cannot be "${SYSTEM_NAME}": that name is kept for room notices`;
  return undefined;
}
