// `mcp-chat peek | say | tail`: the chat from the command line, for agents' hooks and for people.
import type { AgentCommand, Reach, Who } from "./command-line.ts";
import { openLocalToolCaller } from "./local-tool-caller.ts";
import { peek } from "./peek.ts";
import { RemoteToolCaller } from "./remote-tool-caller.ts";
import { say } from "./say.ts";
import { tail } from "./tail.ts";
import { type CallerOptions, type ToolCaller, ToolError } from "./tool-caller.ts";

/** Runs the command; a failure is one line on stderr and exit code 1. */
export async function runAgentCommand(command: AgentCommand): Promise<void> {
  // A tail's handlers before it waits: Ctrl-C ends it cleanly, with exit code 0 (peek and say just stop).
  const stop = new AbortController();
  if (command.kind === "tail") for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stop.abort());
  let caller: ToolCaller | undefined;
  try {
    // say and tail are a person at the keyboard; peek (a hook) reads, from a file that must exist.
    caller = await openToolCaller(command.reach, command.who, command.kind === "peek" ? { existingFile: true } : { person: true });
    if (command.kind === "peek") process.stdout.write(await peek(caller, command.hook));
    else if (command.kind === "say") process.stdout.write(await say(caller, command.who.name, command.room, command.text));
    else await tail(caller, command.who.name, command.room, (line) => process.stdout.write(line), stop.signal);
  } catch (error) {
    const code = error instanceof ToolError ? ` (${error.code})` : "";
    console.error(`mcp-chat ${command.kind}: ${(error as Error).message}${code}`);
    process.exitCode = 1;
  } finally {
    await caller?.close();
  }
}

function openToolCaller(reach: Reach, who: Who, options: CallerOptions): Promise<ToolCaller> {
  return "remote" in reach
    ? Promise.resolve(new RemoteToolCaller(reach.remote, reach.token, who))
    : openLocalToolCaller(reach.dbPath, who, options);
}
