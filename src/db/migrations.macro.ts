// A Bun macro: runs at build time, so the SQL in migrations/ is baked into the bundle and the
// compiled binary needs no migrations folder beside it.
import { join } from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";

export function bundledMigrations() {
  const migrations = readMigrationFiles({ migrationsFolder: join(import.meta.dir, "..", "..", "migrations") });
  // The statements without their whole-line comments and indentation: SQLite needs neither, and the
  // binary is smaller by them. The hash stays the one of the file, as drizzle records it.
  return migrations.map((m) => ({
    ...m,
    sql: m.sql.map((statement) =>
      statement
        .split("\n")
        .filter((line) => !line.trimStart().startsWith("--"))
        .map((line) => line.trim())
        .filter(Boolean)
        .join("\n"),
    ),
  }));
}
