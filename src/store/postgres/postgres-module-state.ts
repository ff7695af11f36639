// Module state on PostgreSQL (core/ports.ts ModuleStateStore): one row per record, JSON text.
import type pg from 'pg';
import type { JsonObject } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/ports.js';

export class PostgresModuleState implements ModuleStateStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(namespace: string, key: string): Promise<JsonObject | null> {
    const { rows } = await this.#pool.query(
      'SELECT value FROM module_state WHERE namespace = $1 AND key = $2',
      [namespace, key],
    );
    const row = rows[0] as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as JsonObject) : null;
  }

  async list(namespace: string): Promise<{ key: string; value: JsonObject }[]> {
    const { rows } = await this.#pool.query(
      'SELECT key, value FROM module_state WHERE namespace = $1 ORDER BY key',
      [namespace],
    );
    return (rows as { key: string; value: string }[]).map((r) => ({
      key: r.key,
      value: JSON.parse(r.value) as JsonObject,
    }));
  }

  async putIfAbsent(namespace: string, key: string, value: JsonObject): Promise<JsonObject> {
    // A row written and committed by another writer first is kept: the insert does nothing, and
    // the read that follows sees that row.
    await this.#pool.query(
      `INSERT INTO module_state (namespace, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, key) DO NOTHING`,
      [namespace, key, JSON.stringify(value)],
    );
    return (await this.get(namespace, key))!;
  }

  async put(namespace: string, key: string, value: JsonObject): Promise<void> {
    await this.#pool.query(
      `INSERT INTO module_state (namespace, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
      [namespace, key, JSON.stringify(value)],
    );
  }
}
