// Runs programs as a user would: the `vigil` CLI from source, or a client tool (psql, pgbench).
import { spawn } from 'node:child_process';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to its end with this environment (added to the test's) and standard input. */
export function runProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
  input = '',
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a character split across two pipe reads is not two replacement characters.
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.on('data', (c: string) => {
      stderr += c;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    // A program that exits without reading its input (`mariadb -e …` is done in a millisecond)
    // closes the pipe first: the write's EPIPE is not the program's result, its exit code is.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The CLI with no stored token or gateway of the machine's user leaking in. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    VIGIL_TOKEN: '',
    VIGIL_GATEWAY: '',
    XDG_CONFIG_HOME: '/nonexistent',
    ...env,
  });
}
