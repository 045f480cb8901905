// `--stdio --channel`: Claude Code's channel (docs/CHANNELS.md). The server declares
// `experimental["claude/channel"]` and, once its client has sent `notifications/initialized`,
// sends a `notifications/claude/channel` for each new message in the rooms of the connection's
// identity, so an idle agent wakes up. It reads nothing for the agent: no cursor moves.
import type { Server } from "@modelcontextprotocol/server";
import type { Chat } from "./chat/chat.ts";
import type { RoomWatch } from "./chat/room-watch.ts";
import { type MessageView, SYSTEM_SENDER_ID, type UnreadView } from "./chat/views.ts";
import { bestEffort, warn } from "./log.ts";
import type { Session } from "./tools/tool.ts";

const CHANNEL_CAPABILITY = "claude/channel";
const CHANNEL_METHOD = "notifications/claude/channel";

/** The most of a message's text a notification carries: a wake-up, not the reading. */
const PREVIEW_CHARS = 300;

/** One stdio connection's channel. `session` is the connection's; use `channel.session` in its place. */
export class ChatChannel {
  /** The connection's session, which tells the channel when a tool call sets its identity. */
  readonly session: Session;
  /** The server whose client has initialized: until then nothing is sent. */
  private server: Server | undefined;
  private watch: RoomWatch | undefined;
  private watchedClientId: string | undefined;
  /** Watches the identity's rooms anew; a failure must fail neither the tool call that set the identity nor the handshake. */
  private readonly follow = () => bestEffort("watching rooms for the channel", () => this.watchIdentity());

  constructor(
    private readonly chat: Chat,
    session: Session,
  ) {
    const follow = this.follow;
    this.session = {
      get clientId() {
        return session.clientId;
      },
      // enter_queue and join_room set it on every call: a new identity, or new rooms to watch.
      set clientId(clientId) {
        session.clientId = clientId;
        follow();
      },
      // --as NAME: the identity is set for the model, which is never shown its client_id.
      named: session.named,
    };
  }

  /** Declares the capability on `server` (before it connects); the watch starts when its client has initialized. */
  serve(server: Server): Server {
    server.registerCapabilities({ experimental: { [CHANNEL_CAPABILITY]: {} } });
    server.oninitialized = () => {
      this.server = server;
      this.follow();
    };
    return server;
  }

  stop(): void {
    this.watch?.stop();
    this.watch = undefined;
    this.watchedClientId = undefined;
  }

  /** Watches the rooms of the session's identity, a new watch when the identity changed. */
  private watchIdentity(): void {
    const clientId = this.session.clientId;
    if (!this.server || clientId === undefined) return;
    if (clientId === this.watchedClientId) return this.watch?.refresh();
    this.stop();
    this.watchedClientId = clientId;
    this.watch = this.chat.watchRooms(clientId, {
      message: (roomId, message) => this.send(messageText(roomId, message), messageMeta(roomId, message)),
      summary: (unread) => this.send(summaryText(unread), { room_id: unread.room_id, unread: String(unread.unread) }),
    });
    this.watch.start();
  }

  private send(content: string, meta: Record<string, string>): void {
    this.server
      ?.notification({ method: CHANNEL_METHOD, params: { content, meta } })
      .catch((error) => warn("channel notification failed:", error));
  }
}

/** `Ann in lobby: hello` (`In lobby: Ann joined` for a system notice), a long message cut with a note. */
function messageText(roomId: string, { sender, sender_id, message }: MessageView): string {
  const chars = [...message];
  const text =
    chars.length <= PREVIEW_CHARS
      ? message
      : `${chars.slice(0, PREVIEW_CHARS).join("")}… (cut: ${chars.length} characters in all; wait_for_message reads it whole)`;
  return sender_id === SYSTEM_SENDER_ID ? `In ${roomId}: ${text}` : `${sender} in ${roomId}: ${text}`;
}

/**
 * Meta keys become attributes of the <channel> tag Claude sees: identifiers only, string values.
 * `untrusted` as in tool results: another participant's text is data, never instructions.
 */
const messageMeta = (roomId: string, m: MessageView) => ({
  room_id: roomId,
  seq: String(m.seq),
  sender: m.sender,
  sender_id: m.sender_id,
  untrusted: String(m.untrusted),
});

/** `3 unread in lobby (from Ann, Cy)`. */
const summaryText = ({ room_id, unread, from }: UnreadView) =>
  `${unread} unread in ${room_id}${from.length > 0 ? ` (from ${from.join(", ")})` : ""}`;
