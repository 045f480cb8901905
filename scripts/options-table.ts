// The options table of docs/CONFIGURATION.md, made from the catalogue in src/config.ts.
// `bun scripts/options-table.ts` prints it; `--write` puts it between the markers in the doc.
import { defaultOf, flagOf, type Option, options, rangeOf } from "../src/config.ts";

export const DOC_PATH = `${import.meta.dir}/../docs/CONFIGURATION.md`;
export const START = "<!-- options:start: made by `bun scripts/options-table.ts --write`, do not edit by hand -->";
export const END = "<!-- options:end -->";

/** What the docs' table says after an option's help, in Markdown: kept out of the binary. */
const more: Partial<Record<keyof typeof options, string>> = {
  as: "The name is trimmed and follows the rules of `display_name`. See [Several agents on one machine](LOCAL-AGENTS.md).",
  channel: "Needs Claude Code started with its channels flag; see [Channels](CHANNELS.md).",
  "max-sessions":
    "Each takes about 15 KB. The replaced session's client gets 404 and initializes again; when every session is answering a request, `initialize` gets 503.",
  db: "It and its folder are created when missing. Why these places: [INSTALL.md](INSTALL.md#where-the-database-lives).",
  "print-config": "Each client's format and file: [INSTALL.md](INSTALL.md#connecting-a-client---print-config).",
  url: "Claude Desktop starts this binary as a relay (`--stdio --remote URL`), since its file takes stdio servers only.",
  "default-wait": "A wait is a `wait_for_message` or `enter_queue` call; none means no `timeout`.",
  "idle-timeout": "Must be longer than `--max-wait`.",
  "max-waits": "Counted per process.",
};

export function optionsTable(): string {
  const code = (text: string | undefined) => (text === undefined ? "" : `\`${text}\``);
  const rows = Object.entries(options).map(([name, o]: [string, Option]) => {
    const flag = flagOf(name, o).split(", ").map(code).join(", ");
    const range = rangeOf(o);
    const accepts = range === undefined ? "" : `${range}${o.type === "whole" ? ", whole" : ""}`;
    const meaning = [`${o.help}.`, more[name as keyof typeof options]].filter(Boolean).join(" ");
    return `| ${flag} | ${code(o.env)} | ${code(defaultOf(o))} | ${accepts} | ${meaning} |`;
  });
  return ["| Flag | Environment | Default | Accepts | Meaning |", "|---|---|---|---|---|", ...rows].join("\n");
}

/** The table as it stands in the doc now, between the markers. */
export function tableInDoc(doc: string): string | undefined {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  return start < 0 || end < start ? undefined : doc.slice(start + START.length, end).trim();
}

if (import.meta.main) {
  if (!process.argv.includes("--write")) {
    console.log(optionsTable());
  } else {
    const doc = await Bun.file(DOC_PATH).text();
    if (tableInDoc(doc) === undefined) throw new Error(`${DOC_PATH} lacks the markers ${START} and ${END}`);
    const [before] = doc.split(START);
    const after = doc.slice(doc.indexOf(END));
    await Bun.write(DOC_PATH, `${before}${START}\n${optionsTable()}\n${after}`);
  }
}
