// An interactive shell through Vigil's SSH connection, typed line by line as a person would: ssh2
// with a terminal, each line sent at a prompt once the previous line's output is back (so each
// command has its own moment in the recording and nothing is typed ahead). The prompt is set to
// `vt$ ` by the first line, which the caller provides. A step may instead act on the channel (a window
// change between two lines).
import type { ClientChannel } from 'ssh2';
import { type SshFixture, ssh2Client, until } from '../../ssh/ssh-fixture.js';

export const SHELL_PROMPT = 'vt$ ';
export const SET_PROMPT = `export PS1='${SHELL_PROMPT}'`;

/** A line to type, or something done to the channel at once, without waiting (`waitFor` skips it). */
export type ShellStep = string | ((stream: ClientChannel) => void);

/**
 * Types `lines` (the first should be SET_PROMPT, the last `exit`) in a terminal of `size` (80×24
 * unless given); after each line with text in `waitFor` at its index, waits until its output holds
 * that text and the prompt is back.
 */
export async function typeInShell(
  f: SshFixture,
  token: string,
  lines: readonly ShellStep[],
  waitFor: readonly (string | undefined)[],
  size: { readonly cols: number; readonly rows: number } = { cols: 80, rows: 24 },
): Promise<void> {
  const client = await ssh2Client(f.port, token);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    client.shell({ term: 'xterm', cols: size.cols, rows: size.rows }, (err, stream) => {
      if (err) return reject(err);
      stream.on('data', (c: Buffer) => {
        out += c.toString();
      });
      stream.on('close', () => resolve());
      void (async () => {
        await until('the prompt', async () => (/[#$] $/.test(out) ? true : null));
        for (const [i, line] of lines.entries()) {
          if (typeof line === 'function') {
            line(stream);
            continue;
          }
          await new Promise((r) => setTimeout(r, 300));
          const before = out.length;
          stream.write(`${line}\r`);
          const wait = waitFor[i];
          if (wait === undefined) continue;
          await until(JSON.stringify(wait), async () => {
            const fresh = out.slice(before);
            return fresh.includes(wait) && fresh.endsWith(SHELL_PROMPT) ? true : null;
          });
        }
      })().catch(reject);
    });
  });
  client.end();
}
