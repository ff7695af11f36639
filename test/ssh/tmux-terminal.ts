// A terminal a test types into: tmux running the real OpenSSH client (`ssh -tt`) through Vigil, as
// a person would use it. Keys are sent as tmux names them (`Enter`, `C-o`) or as raw bytes.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type SshFixture, until } from './ssh-fixture.js';

export const tmuxMissing = (): string | null =>
  existsSync('/usr/bin/tmux') ? null : 'tmux is absent (apt-get install tmux): skipped';

export interface TmuxTerminal {
  /** Text typed literally (no Enter). */
  text(text: string): Promise<void>;
  /** Keys as tmux names them: `Enter`, `C-o`, `C-v`. */
  keys(...names: string[]): Promise<void>;
  /** Raw bytes, as a terminal would send them (escape sequences included). */
  bytes(data: string): Promise<void>;
  /** A paste, in bracketed-paste markers when the host asked for them (as a terminal pastes). */
  paste(text: string): Promise<void>;
  /** A line and Enter. */
  line(text: string): Promise<void>;
  pane(): Promise<string>;
  /** Waits until the screen shows `what`; returns the screen. */
  shows(what: string | RegExp): Promise<string>;
  /** Waits until the ssh client has ended (its tmux session is gone). */
  ended(): Promise<void>;
  close(): Promise<void>;
}

const tmux = (...args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    execFile('tmux', args, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });

/** Opens a shell on the fixture's host through Vigil as alice, with the prompt `vt$ `. */
export async function openTmuxShell(
  f: SshFixture,
  name: string,
  size: { width: number; height: number } = { width: 160, height: 50 },
): Promise<TmuxTerminal> {
  const session = `${name}-${process.pid}`;
  const env = Object.entries(f.askpassEnv('alice')).map(([k, v]) => `${k}=${v}`);
  const command = [
    'env',
    ...env,
    'ssh',
    '-tt',
    '-p',
    String(f.port),
    ...f.clientOptions(),
    'alice@127.0.0.1',
  ];
  const started = await tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    String(size.width),
    '-y',
    String(size.height),
    command.map((w) => `'${w}'`).join(' '),
  );
  if (started.code !== 0) throw new Error(`tmux: ${started.stderr}`);
  const pane = async () => (await tmux('capture-pane', '-p', '-t', session, '-S', '-300')).stdout;
  const keys = async (...names: string[]) => {
    await tmux('send-keys', '-t', session, ...names);
  };
  const t: TmuxTerminal = {
    text: (text) => keys('-l', text),
    keys,
    // Through a tmux buffer: written to the terminal as they are (send-keys would read escapes as keys).
    async bytes(data) {
      await tmux('set-buffer', '-b', session, data);
      await tmux('paste-buffer', '-r', '-d', '-b', session, '-t', session);
    },
    async paste(text) {
      await tmux('set-buffer', '-b', session, text);
      await tmux('paste-buffer', '-p', '-r', '-d', '-b', session, '-t', session);
    },
    async line(text) {
      await keys('-l', text);
      await keys('Enter');
    },
    pane,
    async shows(what) {
      try {
        return await until(
          `the terminal to show ${what}`,
          async () => {
            const text = await pane();
            return (typeof what === 'string' ? text.includes(what) : what.test(text)) ? text : null;
          },
          // Generous: a line waits for its record's commit, which a loaded machine's disk can stall.
          45_000,
        );
      } catch (err) {
        // What the screen showed instead, and what the gateway logged, say why.
        const log = f.log().trim().split('\n').slice(-15).join('\n');
        throw new Error(
          `${(err as Error).message}; the screen:\n${await pane()}\nthe gateway's log:\n${log}`,
        );
      }
    },
    async ended() {
      await until('the ssh client to end', async () =>
        (await tmux('has-session', '-t', session)).code !== 0 ? true : null,
      );
    },
    async close() {
      await tmux('kill-session', '-t', session);
    },
  };
  await until('the shell', async () => ((await pane()).trim().length > 0 ? true : null));
  await t.line("export PS1='vt$ '");
  // The prompt on a line of its own: the local echo of the line above also holds its text.
  await t.shows(/^vt\$ ?$/m);
  return t;
}
