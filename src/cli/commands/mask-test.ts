// `vigil mask-test [FILE|-]`: shows what the masker would replace, for writing and checking rules.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { createMaskerFromConfig } from '../../mask/index.js';
import { loadCliConfig } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('mask-test')
    .description('print a file (or standard input) masked, with a table of what was found')
    .argument('[file]', 'file to read, or - for standard input', '-')
    .option('--connection <name>', 'use the rule set of this connection')
    .option('--json', 'print JSON')
    .option('--explain', 'say why each value was masked: the detector, entropy, column or key name')
    .option(
      '--as <kind>',
      'read the input as text, sql (values by column) or shell (options and variables)',
      'text',
    )
    .action((file: string, opts: { connection?: string; json?: boolean; explain?: boolean; as?: string }) => {
      const loaded = loadCliConfig(program.opts());
      let input: string;
      try {
        input = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (err) {
        throw new VigilError('usage', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      // A fixed key: fingerprints here only correlate within this run and never match the ledger's.
      const masker = createMaskerFromConfig({ config: loaded.config, fingerprintKey: 'vigil-mask-test' });
      const kind = opts.as ?? 'text';
      if (!['text', 'sql', 'shell'].includes(kind)) {
        throw new VigilError('usage', `--as must be text, sql or shell, not "${kind}"`);
      }
      const { text, findings } =
        kind === 'sql'
          ? masker.scanSql(input, opts.connection)
          : kind === 'shell'
            ? masker.scanShellLine(input, opts.connection)
            : // Text as a recorded value is masked: the fields written inside it too (a .env, XML).
              masker.scanValue(input, opts.connection);
      if (opts.json) {
        console.log(JSON.stringify({ masked: text, findings }, null, 2));
        return;
      }
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
      console.log('');
      if (findings.length === 0) {
        console.log('nothing masked');
        return;
      }
      const rows = findings.map((f) => [
        f.ruleId,
        String(f.start),
        String(f.end - f.start),
        f.fingerprint,
        ...(opts.explain
          ? [f.detail ?? (f.label !== undefined ? `known secret "${f.label}"` : 'pattern')]
          : []),
      ]);
      const head = ['RULE', 'OFFSET', 'LENGTH', 'FINGERPRINT', ...(opts.explain ? ['WHY'] : [])];
      console.log(table([head, ...rows]));
    });
}
