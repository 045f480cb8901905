// The MCP face of the chat: lists the tools and runs calls through them. One per MCP session.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  McpError,
  type RequestId,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { jsonSchemaValidator as JsonSchemaValidator } from "@modelcontextprotocol/sdk/validation";
import { z } from "zod";
import { version } from "../package.json" with { type: "json" };
import type { Chat } from "./chat/chat.ts";
import { defaultIntervals } from "./config.ts";
import { ChatError, chatError, type ProtocolError, protocolErrors } from "./errors.ts";
import { log } from "./log.ts";
import { reportProgressWhileBlocked } from "./progress.ts";
import { type ChatTool, errorOutput, type Session } from "./tools/tool.ts";

const INSTRUCTIONS = `mcp-chat lets you talk with other people and agents through tool calls.
Start with enter_queue (to be paired with a stranger) or join_room (a named group room), and keep the client_id they return.
Then send_message to talk and wait_for_message to listen: it blocks until someone else writes. Call wait_for_message again after every message and after every timeout.
whoami shows your rooms and unread messages if you lose track; leave_chat when you are done.`;

/**
 * The SDK checks JSON Schemas only in elicitation answers, which mcp-chat never asks for. Its
 * default, Ajv, would cost an instance per session (about 28 KB) and, in the binary, 0.5 MB of
 * bytecode: scripts/build.ts leaves it out, so every Server must be given this validator.
 */
const jsonSchemaValidator: JsonSchemaValidator = {
  getValidator() {
    throw new Error("mcp-chat checks no JSON Schema: it asks clients for no elicitation");
  },
};

const listings = new WeakMap<ChatTool[], Tool[]>();

/**
 * The tool listing: zod schemas turned into JSON Schema, built on the first tools/list and kept
 * (building it takes several ms, which start-up need not pay).
 */
function toolListing(tools: ChatTool[]): Tool[] {
  let listing = listings.get(tools);
  if (!listing) listings.set(tools, (listing = describeTools(tools)));
  return listing;
}

function describeTools(tools: ChatTool[]): Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, "input") as Tool["inputSchema"],
    // Errors are results too, so a client that validates structured output must accept them.
    outputSchema: { type: "object", anyOf: [...tool.outputs, errorOutput].map((o) => jsonSchema(o, "output")) },
    annotations: tool.annotations,
  }));
}

function jsonSchema(schema: z.ZodType, io: "input" | "output") {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io });
  return rest;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * tools/call as the SDK reads it, checked by us first: the SDK's own check would answer a malformed
 * call with an internal error whose message is a dump of zod issues. `arguments: null`, which some
 * clients send for a tool without arguments, counts as none.
 */
const CallToolRequest = CallToolRequestSchema.extend({
  params: z.preprocess((params) => {
    if (!isObject(params) || typeof params.name !== "string") {
      throw mcpError(protocolErrors.toolCallShape());
    }
    if (params.arguments === null) return { ...params, arguments: undefined };
    if (params.arguments !== undefined && !isObject(params.arguments)) {
      throw mcpError(protocolErrors.argumentsNotObject(params.name));
    }
    return params;
  }, CallToolRequestSchema.shape.params),
});

export interface McpServerOptions {
  /** May start with an identity (`--as NAME`); otherwise enter_queue or join_room gives it one. */
  session?: Session;
  /** The transport's word that the connection carrying a request closed. */
  connectionClosed?: (requestId: RequestId) => AbortSignal | undefined;
  /** Counts the tool calls that have not returned yet: what a stop lets finish. */
  running?: { calls: number };
  /** How often a blocked call that asked for progress gets it. */
  progressEveryMs?: number;
}

/** `tools` gives every tool; it is first called with the first tool request, not at start-up. */
export function createMcpServer(
  chat: Chat,
  tools: () => ChatTool[],
  { session = {}, connectionClosed, running = { calls: 0 }, progressEveryMs = defaultIntervals.progressMs }: McpServerOptions = {},
): Server {
  const server = new Server(
    { name: "mcp-chat", title: "mcp-chat", version },
    { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS, jsonSchemaValidator },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: toolListing(tools()) }));
  server.setRequestHandler(CallToolRequest, async (request, extra): Promise<CallToolResult> => {
    const tool = tools().find((t) => t.name === request.params.name);
    if (!tool) {
      const known = tools()
        .map((t) => t.name)
        .join(", ");
      throw mcpError(protocolErrors.unknownTool(request.params.name, known));
    }
    const parsed = tool.input.safeParse(request.params.arguments ?? {}, { reportInput: true });
    if (!parsed.success) {
      return errorResult(chatError("invalid_input", tool.name, describeIssues(parsed.error)));
    }
    // A closed connection ends a wait early with its ordinary time-out result, not as a
    // cancellation: a client that resumes the stream (Last-Event-ID) gets that result replayed.
    const closed = connectionClosed?.(extra.requestId);
    const signals = closed ? [extra.signal, closed] : [extra.signal];
    const stopProgress = reportProgressWhileBlocked(extra, progressEveryMs);
    running.calls++;
    try {
      return result(await tool.run(parsed.data, { chat, session, signals }));
    } catch (error) {
      if (error instanceof ChatError) return errorResult(error);
      log(`${tool.name} failed:`, error);
      return errorResult(chatError("internal_error"));
    } finally {
      stopProgress();
      running.calls--;
    }
  });
  return server;
}

/** A protocol error the SDK sends as the JSON-RPC error of the request. */
const mcpError = ({ code, message }: ProtocolError) => new McpError(code, message);

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join(".");
      if (issue.code === "invalid_type" && issue.input === undefined) return `${field} is required`;
      return !field || issue.message.startsWith(field) ? issue.message : `${field}: ${issue.message}`;
    })
    .join("; ");
}

function result(value: object): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value as Record<string, unknown> };
}

function errorResult(error: ChatError): CallToolResult {
  return { ...result({ error: error.message, code: error.code }), isError: true };
}
