// The two properties as fast-check runs with a given seed and number of runs, shared by the short
// run in `npm test` and the long one in scripts/differential.ts. A failure comes back as a
// readable report: the seed to reproduce it, the shrunk counterexample and what differed.
import fc from 'fast-check';
import type { SqlClassifier } from '../../../src/protocols/postgres/sql-classifier.js';
import { KNOWN_DRIFTS, renderSequence, type Sequence, sequence } from './frontend-sequences.js';
import type { SessionDifferential } from './session-harness.js';
import { TokenizerDifferential } from './tokenizer-check.js';
import { sqlishString } from './tokenizer-strings.js';

export interface RunOptions {
  readonly runs: number;
  readonly seed: number;
  /** Stops generating (and shrinking) after this long; what was found by then is reported. */
  readonly timeLimitMs?: number;
}

export interface RunReport {
  readonly ok: boolean;
  readonly runsDone: number;
  /** Empty when ok; else the seed, the shrunk counterexample and the findings. */
  readonly report: string;
  /** How the generated cases fell (denials met, replies compared, strings rejected ...). */
  readonly tally: Readonly<Record<string, number>>;
}

class Mismatch extends Error {}

function reportOf<T>(
  name: string,
  result: fc.RunDetails<[T]>,
  options: RunOptions,
  render: (value: T) => string,
  tally: Readonly<Record<string, number>>,
): RunReport {
  if (!result.failed) return { ok: true, runsDone: result.numRuns, report: '', tally };
  const [value] = result.counterexample ?? [];
  const cause =
    result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  const report = [
    `${name} failed after ${result.numRuns} run(s), ${result.numShrinks} shrink(s).`,
    `Reproduce: node --import tsx scripts/differential.ts --runs ${options.runs} --seed ${options.seed}` +
      (result.counterexamplePath ? ` (path ${result.counterexamplePath})` : ''),
    'Counterexample:',
    value === undefined ? '  (none)' : render(value),
    'Findings:',
    ...cause.split('\n').map((l) => `  - ${l}`),
  ].join('\n');
  return { ok: false, runsDone: result.numRuns, report, tally };
}

export async function runSessionProperty(h: SessionDifferential, options: RunOptions): Promise<RunReport> {
  const property = fc.asyncProperty(sequence, async (seq: Sequence) => {
    const findings = await h.check(seq);
    if (findings.length > 0) throw new Mismatch(findings.join('\n'));
  });
  const result = await fc.check(property, {
    numRuns: options.runs,
    seed: options.seed,
    examples: KNOWN_DRIFTS.map((s): [Sequence] => [s]),
    ...(options.timeLimitMs
      ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
      : {}),
  });
  return reportOf('session differential (Vigil vs server log)', result, options, renderSequence, {
    ...h.tally,
  });
}

export async function runTokenizerProperty(
  h: SessionDifferential,
  classifier: SqlClassifier,
  options: RunOptions,
): Promise<RunReport> {
  const tokenizer = await TokenizerDifferential.start(h.cluster, classifier);
  try {
    const property = fc.asyncProperty(sqlishString, async (sql: string) => {
      const mismatch = await tokenizer.check(sql);
      if (mismatch) throw new Mismatch(mismatch);
    });
    const result = await fc.check(property, {
      numRuns: options.runs,
      seed: options.seed,
      ...(options.timeLimitMs
        ? { interruptAfterTimeLimit: options.timeLimitMs, markInterruptAsFailure: false }
        : {}),
    });
    return reportOf(
      'tokenizer differential (classifier vs server parser)',
      result,
      options,
      (s) => `  ${JSON.stringify(s)}`,
      {
        ...tokenizer.tally,
      },
    );
  } finally {
    await tokenizer.close();
  }
}
