// The tools called in process on a database file, as a stdio server would call them: the same zod
// parsing of the arguments, the same ToolContext, over a Chat that wakes on other processes' commits.
import { Chat } from "../chat/chat.ts";
import type { Caller } from "../chat/identity.ts";
import { defaultLimits, defaultTiming } from "../config.ts";
import { openDatabase } from "../db/open.ts";
import { SharedFileDoorbell } from "../db/shared-file-doorbell.ts";
import { ChatStore } from "../db/store.ts";
import { ChatError, chatError } from "../errors.ts";
import { describeIssues } from "../mcp-server.ts";
import { chatTools } from "../tools/index.ts";
import type { ChatTool, Session } from "../tools/tool.ts";
import type { Who } from "./command-line.ts";
import { type CallerOptions, type ToolCaller, ToolError } from "./tool-caller.ts";

export async function openLocalToolCaller(dbPath: string, who: Who, options: CallerOptions): Promise<ToolCaller> {
  if (options.existingFile && !(await Bun.file(dbPath).exists()))
    throw new Error(`there is no chat database at ${dbPath} (give the server's with --db, or --remote URL)`);
  const db = openDatabase(dbPath);
  const store = new ChatStore(db);
  // Other processes share the file (the server, the agents): a wait wakes on their commits.
  const chat = new Chat({ store, doorbell: new SharedFileDoorbell(db.$client), timing: defaultTiming, limits: defaultLimits });
  try {
    const session = sessionOf(chat, who, options.person === true);
    return new LocalToolCaller(chat, store, chatTools(defaultLimits, defaultTiming), session);
  } catch (error) {
    store.close();
    throw error instanceof ChatError ? new ToolError(error.code, error.message) : error;
  }
}

/** A named identity is made on first use; a person's is marked as such. */
function sessionOf(chat: Chat, who: Who, person: boolean): Session {
  if ("clientId" in who) return { clientId: who.clientId };
  const caller: Caller = chat.localIdentity(who.name);
  if (person) chat.markHuman(caller);
  return { clientId: caller.clientId, named: true };
}

class LocalToolCaller implements ToolCaller {
  constructor(
    private readonly chat: Chat,
    private readonly store: ChatStore,
    private readonly tools: ChatTool[],
    private readonly session: Session,
  ) {}

  async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const tool = this.tools.find((t) => t.name === name);
    if (!tool) throw new Error(`no tool ${name}`);
    try {
      const parsed = tool.input.safeParse(args, { reportInput: true });
      if (!parsed.success) throw chatError("invalid_input", tool.name, describeIssues(parsed.error));
      const context = { chat: this.chat, session: this.session, signals: signal ? [signal] : [] };
      return (await tool.run(parsed.data, context)) as Record<string, unknown>;
    } catch (error) {
      throw error instanceof ChatError ? new ToolError(error.code, error.message) : error;
    }
  }

  async close(): Promise<void> {
    this.chat.stopWaiting();
    // Presence touches are written at the end of the event loop's turn: let the last ones be.
    await new Promise((resolve) => setImmediate(resolve));
    this.store.close();
  }
}
