// What a tool is: its schemas, words for the model, and a body that calls the domain.
import { z } from "zod";
import type { Chat, NewIdentity } from "../chat/chat.ts";
import type { Caller } from "../chat/identity.ts";
import { chatError } from "../errors.ts";

/** What one MCP session (one HTTP session, one stdio process) remembers between calls. */
export interface Session {
  /** The identity set by the session's last enter_queue or join_room. */
  clientId?: string;
}

export interface ToolContext {
  chat: Chat;
  session: Session;
  /** Any of them fires when the request is cancelled or its connection closes. */
  signals: AbortSignal[];
}

export interface ChatTool<Input extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: Input;
  /** Success shapes only; the error shape is added for every tool. */
  outputs: z.ZodObject[];
  /**
   * Every hint spelled out: MCP's defaults (destructive, not idempotent) would have clients ask a
   * person to approve each send. A read-only tool needs no destructiveHint.
   */
  annotations:
    | { readOnlyHint: true; idempotentHint: boolean; openWorldHint: boolean }
    | { readOnlyHint: false; destructiveHint: boolean; idempotentHint: boolean; openWorldHint: boolean };
  run(args: z.output<Input>, context: ToolContext): Promise<object> | object;
}

export const defineTool = <Input extends z.ZodObject>(tool: ChatTool<Input>): ChatTool => tool as unknown as ChatTool;

/** A participant as others see them. */
export const memberOutput = z.object({ sender: z.string(), sender_id: z.string() });

export const errorOutput = z.object({
  error: z.string().describe("What went wrong, in a sentence."),
  code: z.string().describe("A stable snake_case code, e.g. not_in_room."),
});

/** The caller for tools that need an identity: the given client_id, else the session's. */
export function callerOf(context: ToolContext, clientId: string | undefined): Caller {
  const token = clientId ?? context.session.clientId;
  if (token === undefined) {
    throw chatError("no_identity");
  }
  return context.chat.authenticate(token);
}

/** Who join_room acts as: the given client_id, else the session's, else someone new. */
export const identityOf = (context: ToolContext, clientId: string | undefined, displayName: string): NewIdentity => ({
  clientId: clientId ?? context.session.clientId,
  displayName,
});

/** The caller for enter_queue, which may create the identity and then waits; the session keeps it. */
export function establishCaller(context: ToolContext, clientId: string | undefined, displayName: string): Caller {
  const caller = context.chat.establish(clientId ?? context.session.clientId, displayName, { toWait: true });
  context.session.clientId = caller.clientId;
  return caller;
}
