// The options are declared once (src/config.ts); --help and docs/CONFIGURATION.md must say the same.
import { expect, test } from "bun:test";
import { DOC_PATH, optionsTable, tableInDoc } from "../../scripts/options-table.ts";
import { defaultOf, helpText, type Option, options } from "../../src/config.ts";

test("the options table in docs/CONFIGURATION.md is the one the catalogue makes", async () => {
  const inDoc = tableInDoc(await Bun.file(DOC_PATH).text());
  // On a difference, `bun scripts/options-table.ts --write` brings the doc up to date.
  expect(inDoc).toBe(optionsTable());
  for (const name of Object.keys(options)) expect(inDoc).toContain(`\`--${name}`);
});

test("--help lists every option with its environment variable and default", () => {
  const lines = helpText().split("\n");
  for (const [name, o] of Object.entries(options) as [string, Option][]) {
    const line = lines.find((l) => new RegExp(`^\\s+(-\\w, )?--${name}\\b(?!-)`).test(l));
    expect(line, `--${name}`).toBeDefined();
    if (o.env) expect(line).toContain(`[env ${o.env}]`);
    const fallback = defaultOf(o);
    if (fallback !== undefined) expect(line).toContain(`(default ${fallback}`);
  }
  // The figures a user would look for, spelled out: a changed default must reach the docs by the test above.
  expect(helpText()).toContain("--port VALUE           HTTP port; 0 picks a free one (default 8000, 0 to 65535). [env PORT]");
});
