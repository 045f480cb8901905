// The shapes the domain hands out: plain data, the same the tools return.
import type { StoredMessage } from "../db/store.ts";

export interface MemberView {
  sender: string;
  sender_id: string;
}

export interface MessageView {
  seq: number;
  sender: string;
  sender_id: string;
  message: string;
  timestamp: string;
}

/** A room with messages the reader has not read: how many, and from whom (a few names, newest first). */
export interface UnreadView {
  room_id: string;
  unread: number;
  from: string[];
}

/** System messages ("Bob left") have no sender; they show as sender_id "system". */
export const SYSTEM_SENDER_ID = "system";

export function messageView(row: StoredMessage): MessageView {
  return {
    seq: row.seq,
    sender: row.senderName,
    sender_id: row.senderId ?? SYSTEM_SENDER_ID,
    message: row.body,
    timestamp: new Date(row.createdAt).toISOString(),
  };
}
