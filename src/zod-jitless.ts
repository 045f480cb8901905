// Imported by cli.ts before anything else, since zod reads this setting when a schema is built.
// zod compiles a parser for each object schema (new Function) at its first parse: at start-up
// that is several ms of compiling, which the binary's bytecode cannot hold; without them each
// parse costs a few µs more (PERFORMANCE.md, "Cold start and binary size").
import { config } from "zod";

config({ jitless: true });
