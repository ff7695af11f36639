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
    .action((file: string, opts: { connection?: string; json?: boolean }) => {
      const loaded = loadCliConfig(program.opts());
      let input: string;
      try {
        input = readFileSync(file === '-' ? 0 : file, 'utf8');
      } catch (err) {
        throw new VigilError('usage', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
      }
      // A fixed key: fingerprints here only correlate within this run and never match the ledger's.
      const masker = createMaskerFromConfig({ config: loaded.config, fingerprintKey: 'vigil-mask-test' });
      const { text, findings } = masker.scanText(input, opts.connection);
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
      const rows = findings.map((f) => [f.ruleId, String(f.start), String(f.end - f.start), f.fingerprint]);
      console.log(table([['RULE', 'OFFSET', 'LENGTH', 'FINGERPRINT'], ...rows]));
    });
}
