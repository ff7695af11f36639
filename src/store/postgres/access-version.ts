// The versions gateways poll to notice changes with one cheap read: raised inside the transaction
// that makes the change, so a reader never sees the change without the new version.
import type pg from 'pg';

export async function bumpAccessVersion(client: pg.ClientBase): Promise<void> {
  await client.query("UPDATE access_meta SET value = value + 1 WHERE key = 'version'");
}

export async function bumpGrantsVersion(client: pg.ClientBase): Promise<void> {
  await client.query("UPDATE access_meta SET value = value + 1 WHERE key = 'grants_version'");
}
