// Change notifications from PostgreSQL (core/ports.ts ChangeFeed). Triggers in the schema notify
// channel vigil_changes with '<schema>:<topic>' when access state, grants or approvals change
// (migration 6); one dedicated connection per gateway LISTENs, opened on the first subscription so
// that CLI runs never hold one. A lost connection is reopened a second later, and every topic is
// announced on each (re)connection for what may have been missed meanwhile.
import pg from 'pg';
import type { ChangeFeed, ChangeTopic } from '../../core/ports.js';
import type { PoolSettings } from './pg-pool.js';

const CHANNEL = 'vigil_changes';
const TOPICS: readonly ChangeTopic[] = ['access', 'grants', 'approvals'];
const RECONNECT_MS = 1000;

export class PostgresChangeFeed implements ChangeFeed {
  readonly #settings: PoolSettings;
  readonly #listeners = new Set<(topic: ChangeTopic) => void>();
  #client: pg.Client | null = null;
  #connecting = false;
  #retry: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(settings: PoolSettings) {
    this.#settings = settings;
  }

  subscribe(listener: (topic: ChangeTopic) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#client && !this.#connecting && !this.#retry) void this.#connect();
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    this.#connecting = true;
    const client = new pg.Client({
      connectionString: this.#settings.url,
      keepAlive: true,
      application_name: 'vigil-changes',
    });
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => this.#notified(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.#closed) {
        await client.end();
        return;
      }
      this.#client = client;
      for (const topic of TOPICS) this.#emit(topic);
    } catch {
      this.#lost(client);
    } finally {
      this.#connecting = false;
    }
  }

  #notified(channel: string, payload: string | undefined): void {
    if (channel !== CHANNEL || !payload) return;
    const prefix = `${this.#settings.schema}:`;
    if (!payload.startsWith(prefix)) return; // another installation's schema in the same database
    const topic = payload.slice(prefix.length) as ChangeTopic;
    if (TOPICS.includes(topic)) this.#emit(topic);
  }

  #emit(topic: ChangeTopic): void {
    for (const listener of this.#listeners) listener(topic);
  }

  #lost(client: pg.Client): void {
    if (this.#client === client) this.#client = null;
    client.end().catch(() => undefined);
    if (this.#closed || this.#retry || this.#client) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (!this.#client && !this.#connecting) void this.#connect();
    }, RECONNECT_MS);
    this.#retry.unref();
  }
}
