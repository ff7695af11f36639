// What Vigil asks the upstream itself, outside any client's command: at the start of a session,
// the settings that decide how the server reads text (pinned-settings.ts; a server default or
// init_connect could set them before the client sends a byte), and on a read-only connection
// `SET SESSION TRANSACTION READ ONLY` as a second wall behind the guardrails; when Vigil cuts a
// session, a KILL of its server thread from a second connection, so nothing queued commits after.
import type { Duplex } from 'node:stream';
import { VigilError } from '../../core/errors.js';
import { CAP, COM } from './constants.js';
import { parseErr } from './handshake-messages.js';
import { ClientPacketFramer } from './packet-framer.js';
import { PacketWaiter, withTimeout } from './packet-waiter.js';
import { packet } from './packet-writer.js';
import { PayloadReader } from './payload-reader.js';
import { UNSAFE_CHARSETS, unsafeCharset, unsafeSqlMode } from './pinned-settings.js';
import { connectUpstream, type UpstreamTarget } from './upstream-connect.js';

const CHECK_TIMEOUT_MS = 10_000;
const KILL_TIMEOUT_MS = 2000;

export function comQuery(sql: string): Buffer {
  return packet(0, Buffer.concat([Buffer.from([COM.QUERY]), Buffer.from(sql, 'utf8')]));
}

/** What makes the upstream session of a read-only connection read-only (again after a reset). */
export const READ_ONLY_SESSION = 'SET SESSION TRANSACTION READ ONLY';

/**
 * After COM_RESET_CONNECTION the session takes the server's GLOBAL sql_mode and character set,
 * which Vigil has not read: this statement fails (1231) when they are ones Vigil cannot read text
 * under, and otherwise sets sql_mode to the value it has. NO_BACKSLASH_ESCAPES is in every OK's
 * status flags, checked there. Only single quotes and no backslash: it reads alike in any mode.
 */
export const READABLE_SESSION_CHECK =
  "SET SESSION sql_mode = IF(FIND_IN_SET('ANSI_QUOTES', @@SESSION.sql_mode) > 0 OR " +
  `LOWER(@@SESSION.character_set_client) IN (${UNSAFE_CHARSETS.map((c) => `'${c}'`).join(', ')}), ` +
  "'VIGIL_UNREADABLE_SESSION', @@SESSION.sql_mode)";

export const UNREADABLE_AFTER_RESET = new VigilError(
  'setting_pinned',
  "after COM_RESET_CONNECTION the upstream session has the server's sql_mode (ANSI_QUOTES) or character set, which Vigil cannot read statements under",
);

/** Runs one statement and returns its first row's values (text protocol), or [] for an OK. */
async function run(waiter: PacketWaiter, socket: Duplex, sql: string): Promise<(string | null)[]> {
  socket.write(comQuery(sql));
  const first = (await waiter.next()).payload;
  if (first[0] === 0xff) {
    const e = parseErr(first);
    throw new VigilError(
      'upstream_failed',
      `the upstream refused Vigil's ${sql.split(' ')[0]} (${e.errno}): ${e.message}`,
    );
  }
  if (first[0] === 0x00) return [];
  const columns = first[0]!;
  for (let i = 0; i < columns; i++) await waiter.next();
  let row = (await waiter.next()).payload;
  if (row[0] === 0xfe && row.length < 9) row = (await waiter.next()).payload; // the EOF after the definitions
  const r = new PayloadReader(row);
  const values: (string | null)[] = [];
  for (let i = 0; i < columns; i++) {
    const length = r.lenencOrNull();
    values.push(length === null ? null : r.bytes(length).toString('utf8'));
  }
  // The end of the rows (an EOF, or an OK when EOF is deprecated).
  await waiter.next();
  return values;
}

export async function checkSessionSettings(
  socket: Duplex,
  leftover: Buffer,
  readOnly: boolean,
): Promise<void> {
  const framer = new ClientPacketFramer(1024 * 1024);
  framer.push(leftover);
  const waiter = new PacketWaiter(socket, framer);
  try {
    await withTimeout(
      (async () => {
        if (readOnly) await run(waiter, socket, READ_ONLY_SESSION);
        const [mode, charset] = await run(
          waiter,
          socket,
          'SELECT @@SESSION.sql_mode, @@SESSION.character_set_client',
        );
        if (unsafeSqlMode(mode ?? ''))
          throw new VigilError(
            'setting_pinned',
            `the upstream session starts with sql_mode ${mode}, which Vigil cannot read statements under`,
          );
        if (unsafeCharset(charset ?? ''))
          throw new VigilError(
            'setting_pinned',
            `the upstream session starts with character set ${charset}, which can hide a backslash`,
          );
      })(),
      CHECK_TIMEOUT_MS,
      () => new VigilError('upstream_timeout', "the upstream did not answer Vigil's session checks in time"),
    );
    if (framer.buffered > 0)
      throw new VigilError('upstream_failed', 'the upstream sent more than Vigil asked for');
  } finally {
    waiter.detach();
  }
}

/** Ends the server thread `id` from a second connection. Best effort, bounded in time. */
export async function stopConnection(target: UpstreamTarget, id: number): Promise<void> {
  await killThread(target, id, 'connection').catch(() => undefined);
}

/**
 * `KILL QUERY` or `KILL CONNECTION` of the server thread `id`, from a second login with the
 * injected credential (the same server user, so the server lets it). Bounded in time.
 */
export async function killThread(
  target: UpstreamTarget,
  id: number,
  mode: 'query' | 'connection',
): Promise<void> {
  const admin = await connectUpstream(target, CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION | CAP.PLUGIN_AUTH, 33);
  const waiter = new PacketWaiter(admin.socket, new ClientPacketFramer(1024 * 1024));
  try {
    await withTimeout(
      run(waiter, admin.socket, `KILL ${mode === 'query' ? 'QUERY' : 'CONNECTION'} ${id >>> 0}`),
      KILL_TIMEOUT_MS,
      () => new VigilError('upstream_timeout', 'the upstream did not answer the KILL in time'),
    );
  } finally {
    waiter.detach();
    admin.socket.destroy();
  }
}
