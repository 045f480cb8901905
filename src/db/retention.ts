// --retention DAYS: messages older than that are deleted, and then rooms left with no message and
// nobody in them. Within a room seq and time rise together, so each room's old messages are a
// prefix of its primary key: found by reading up to the first young one, deleted as a key range.
import type { Database } from "bun:sqlite";

/** Rooms per transaction: each holds the write lock only briefly, so sends are not kept waiting. */
const ROOMS_PER_BATCH = 100;

export interface Pruned {
  messages: number;
  rooms: number;
}

export function pruneOlderThan(sqlite: Database, cutoff: number): Pruned {
  const rooms = sqlite.query<{ id: string }, []>("SELECT id FROM rooms").all();
  const firstYoung = sqlite.query<{ seq: number }, [string, number]>(
    "SELECT seq FROM messages WHERE room_id = ? AND created_at >= ? ORDER BY seq LIMIT 1",
  );
  const deleteBefore = sqlite.query("DELETE FROM messages WHERE room_id = ? AND seq < ?");
  const deleteAll = sqlite.query("DELETE FROM messages WHERE room_id = ?");
  const emptyAndDeserted = sqlite.query<{ n: number }, [string, string]>(
    `SELECT (SELECT count(*) FROM messages WHERE room_id = ?) + (SELECT count(*) FROM memberships WHERE room_id = ? AND left_at IS NULL) AS n`,
  );
  const deleteMemberships = sqlite.query("DELETE FROM memberships WHERE room_id = ?");
  const deleteRoom = sqlite.query("DELETE FROM rooms WHERE id = ?");
  const pruned: Pruned = { messages: 0, rooms: 0 };
  for (let start = 0; start < rooms.length; start += ROOMS_PER_BATCH) {
    sqlite
      .transaction(() => {
        for (const { id } of rooms.slice(start, start + ROOMS_PER_BATCH)) {
          const young = firstYoung.get(id, cutoff);
          pruned.messages += (young ? deleteBefore.run(id, young.seq) : deleteAll.run(id)).changes;
          if (emptyAndDeserted.get(id, id)!.n === 0) {
            deleteMemberships.run(id);
            pruned.rooms += deleteRoom.run(id).changes;
          }
        }
      })
      .immediate();
  }
  return pruned;
}
