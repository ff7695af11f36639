// The files an exec command writes by its text (command-writes.ts), judged as file actions before
// the host runs it: each is an ssh.file (`via: exec`, `phase: open`) with the path as written and
// where the host resolves it, submitted like an sftp open (file-judging.ts), so a rule on
// `^upload /etc/` holds `ssh host 'cat > /etc/x'` and an allow on `^upload /srv/` must admit every
// path the command writes. The first refusal stops the rest: the command never starts.
import type { Client } from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import type { SubmitOptions } from '../../pipeline/pipeline.js';
import type { CommandWrite } from './command-writes.js';
import type { ConnectionState } from './connection-state.js';
import { submitFileAction } from './file-judging.js';
import { hostPaths } from './host-paths.js';

export async function judgeCommandWrites(
  state: ConnectionState,
  channelId: number,
  client: Client,
  writes: readonly CommandWrite[],
  options: SubmitOptions,
): Promise<void> {
  if (writes.length === 0) return;
  const paths = hostPaths(client);
  try {
    for (const write of writes) {
      const payload: JsonObject = {
        channel: channelId,
        via: 'exec',
        phase: 'open',
        operation: write.operation,
        path: write.path,
        ...(write.target !== undefined ? { target: write.target } : {}),
        by: write.by,
      };
      try {
        const resolved = await resolve(paths.resolve, write.path);
        if (resolved !== null && resolved !== write.path) payload.resolved_path = resolved;
        if (write.target !== undefined) {
          const target = await resolve(paths.resolve, write.target);
          if (target !== null && target !== write.target) payload.resolved_target = target;
        }
      } catch (err) {
        const error = toVigilError(err);
        await state.session.refuseAction('ssh.file', payload, error);
        throw error;
      }
      await submitFileAction(state.session, payload, options);
    }
  } finally {
    paths.close();
  }
}

/** Where the host resolves a path; a directory (written with its `/`) keeps it, so `^upload /etc/` meets it. */
async function resolve(ask: (path: string) => Promise<string | null>, path: string): Promise<string | null> {
  const directory = path.endsWith('/') && path !== '/';
  const resolved = await ask(directory ? path.replace(/\/+$/, '') || '/' : path);
  if (resolved === null || !directory || resolved.endsWith('/')) return resolved;
  return `${resolved}/`;
}
