// Module state on SQLite (core/ports.ts ModuleStateStore): one row per record, JSON text.
import type Database from 'better-sqlite3';
import type { JsonObject } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/ports.js';
import { retryBusySync } from './busy-retry.js';

export class SqliteModuleState implements ModuleStateStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async get(namespace: string, key: string): Promise<JsonObject | null> {
    const row = this.#db
      .prepare('SELECT value FROM module_state WHERE namespace = ? AND key = ?')
      .get(namespace, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as JsonObject) : null;
  }

  async list(namespace: string): Promise<{ key: string; value: JsonObject }[]> {
    const rows = this.#db
      .prepare('SELECT key, value FROM module_state WHERE namespace = ? ORDER BY key')
      .all(namespace) as { key: string; value: string }[];
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.value) as JsonObject }));
  }

  async putIfAbsent(namespace: string, key: string, value: JsonObject): Promise<JsonObject> {
    retryBusySync(() =>
      this.#db
        .prepare('INSERT OR IGNORE INTO module_state (namespace, key, value) VALUES (?, ?, ?)')
        .run(namespace, key, JSON.stringify(value)),
    );
    return (await this.get(namespace, key))!;
  }

  async put(namespace: string, key: string, value: JsonObject): Promise<void> {
    const text = JSON.stringify(value);
    retryBusySync(() =>
      this.#db
        .prepare(
          `INSERT INTO module_state (namespace, key, value) VALUES (?, ?, ?)
           ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
        )
        .run(namespace, key, text),
    );
  }
}
