// A Bun macro: runs at build time, so the SQL in migrations/ is baked into the bundle and the
// compiled binary needs no migrations folder beside it.
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";

export function bundledMigrations() {
  return readMigrationFiles({ migrationsFolder: join(import.meta.dir, "..", "..", "migrations") });
}
