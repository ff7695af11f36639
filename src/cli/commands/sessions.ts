// `vigil sessions`: list recorded sessions, straight from the store (works while the gateway is down).
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('sessions')
    .description('list recorded sessions')
    .option('--identity <subject>', 'only sessions of this identity')
    .option('--connection <name>', 'only sessions on this connection')
    .option('--since <date>', 'only sessions active since this date or ISO time')
    .option('--search <text>', 'only sessions whose prompts, responses or statements contain this text')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        identity?: string;
        connection?: string;
        since?: string;
        search?: string;
        limit: string;
        json?: boolean;
      }) => {
        const limit = sessionLimit(opts.limit);
        const store = await openExistingStore(loadCliConfig(program.opts()));
        try {
          const since = opts.since === undefined ? undefined : isoDate(opts.since);
          const sessions = await store.ledger.listSessions({
            identity: opts.identity,
            connection: opts.connection,
            since,
            search: opts.search,
            limit,
          });
          if (opts.json) {
            console.log(JSON.stringify(sessions, null, 2));
            return;
          }
          if (sessions.length === 0) {
            console.log('no sessions');
            return;
          }
          const rows = sessions.map((s) => [
            s.id,
            s.identity.subject,
            s.connection,
            s.startedAt,
            s.endedAt ? `ended (${s.endReason ?? 'closed'})` : 'open',
            String(s.eventCount),
          ]);
          console.log(table([['SESSION', 'IDENTITY', 'CONNECTION', 'STARTED', 'STATE', 'EVENTS'], ...rows]));
        } finally {
          await store.close();
        }
      },
    );
}

/**
 * `--limit` as a count of sessions. Passed on unread, a word reached SQLite as a text LIMIT (a stack
 * trace, "datatype mismatch") and a negative number as no limit at all.
 */
function sessionLimit(input: string): number {
  const n = Number(input);
  if (!/^\d+$/.test(input.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new VigilError('usage', `--limit must be a whole number of sessions, 1 or more: ${input}`);
  return n;
}

export function isoDate(input: string): string {
  const t = Date.parse(input);
  if (Number.isNaN(t)) throw new VigilError('usage', `not a date: ${input}`);
  return new Date(t).toISOString();
}
