// Runs `vigil rerun` as a user would: the real CLI in its own process, its printed base URL parsed,
// stopped with Ctrl-C (SIGINT), its printed report and JSON report file returned.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RerunReport } from '../../src/rerun/report.js';

export interface RerunProcess {
  /** http://host:port */
  readonly url: string;
  stop(): Promise<{ code: number | null; stdout: string; stderr: string; report: RerunReport }>;
}

const running = new Set<ChildProcess>();

/** Stops every re-run a failed test left running, so the test process can end. */
export function killLeftoverReruns(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export async function startRerun(
  configFile: string,
  sessionId: string,
  extraArgs: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<RerunProcess> {
  const reportFile = join(mkdtempSync(join(tmpdir(), 'vigil-rerun-')), 'report.json');
  const args = ['--import', 'tsx', 'src/cli/run.ts', '--config', configFile, 'rerun', sessionId];
  const child: ChildProcess = spawn(
    process.execPath,
    [...args, '--listen', '127.0.0.1:0', '--report', reportFile, ...extraArgs],
    {
      env: { ...process.env, VIGIL_TOKEN: '', VIGIL_GATEWAY: '', XDG_CONFIG_HOME: '/nonexistent', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  child.once('close', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`vigil rerun printed no URL: ${stdout} ${stderr}`)),
      60_000,
    );
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    closed.then((code) => {
      clearTimeout(timer);
      reject(new Error(`vigil rerun exited with ${code}: ${stdout} ${stderr}`));
    });
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGINT');
      const code = await closed;
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as RerunReport;
      return { code, stdout, stderr, report };
    },
  };
}
