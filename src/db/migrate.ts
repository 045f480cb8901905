import type { Database } from "bun:sqlite";
import type { MigrationMeta } from "drizzle-orm/migrator";

/**
 * Applies the migrations the file has not seen yet, keeping drizzle's own bookkeeping table.
 * Unlike drizzle's migrator, it takes the write lock before reading that table, so several
 * processes starting at once on a fresh file apply each migration exactly once.
 */
export function applyMigrations(sqlite: Database, migrations: MigrationMeta[]): void {
  sqlite.run(`CREATE TABLE IF NOT EXISTS __drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
  sqlite
    .transaction(() => {
      const last = sqlite
        .query<{ created_at: number }, []>("SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1")
        .get();
      for (const migration of migrations) {
        if (last && Number(last.created_at) >= migration.folderMillis) continue;
        for (const statement of migration.sql) sqlite.run(statement);
        sqlite.query("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)").run(migration.hash, migration.folderMillis);
      }
    })
    .immediate();
}
