// An interactive shell through Vigil's SSH connection, typed line by line as a person would: ssh2
// with a terminal, each line sent at a prompt once the previous line's output is back (so each
// command has its own moment in the recording and nothing is typed ahead). The prompt is set to
// `vt$ ` by the first line, which the caller provides.
import { type SshFixture, ssh2Client, until } from '../../ssh/ssh-fixture.js';

export const SHELL_PROMPT = 'vt$ ';
export const SET_PROMPT = `export PS1='${SHELL_PROMPT}'`;

/**
 * Types `lines` (the first should be SET_PROMPT, the last `exit`); after each line but the last,
 * waits until its output holds the matching text of `waitFor` and the prompt is back.
 */
export async function typeInShell(
  f: SshFixture,
  token: string,
  lines: readonly string[],
  waitFor: readonly string[],
): Promise<void> {
  const client = await ssh2Client(f.port, token);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    client.shell({ term: 'xterm', cols: 80, rows: 24 }, (err, stream) => {
      if (err) return reject(err);
      stream.on('data', (c: Buffer) => {
        out += c.toString();
      });
      stream.on('close', () => resolve());
      void (async () => {
        await until('the prompt', async () => (/[#$] $/.test(out) ? true : null));
        for (const [i, line] of lines.entries()) {
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
