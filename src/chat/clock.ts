// The clock presence and the queue go by. They compare times (last seen, live until) across calls,
// so a jump of the system clock (NTP stepping it, a date set by hand, a resumed virtual machine)
// would read as time passing: a day forward and everyone looks gone; an hour back and an entry that
// lapsed is matchable again (issue 19, #15). This clock reads the system clock once, at start, and
// then moves only as the monotonic clock does. Message timestamps still show the system clock.

/** Milliseconds since the epoch as of the start, advanced by the monotonic clock; whole numbers. */
export function steadyClock(wall: () => number = Date.now, monotonic: () => number = () => performance.now()): () => number {
  const startWall = wall();
  const startMonotonic = monotonic();
  return () => startWall + Math.floor(monotonic() - startMonotonic);
}
