// Imported by cli.ts before anything else, since zod reads this setting when a schema is built.
// zod compiles a parser for each object schema (new Function) at its first parse: at start-up
// that is several ms of compiling (4-6 ms to the first initialize), which the binary's bytecode
// cannot hold. Without them the parses of one tools/call take about 5 µs more (4-5 → 9-10 µs).
import { config } from "zod";

config({ jitless: true });
