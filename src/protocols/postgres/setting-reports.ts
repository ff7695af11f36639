// Which forwarded statements the server has not yet reported its settings after. Any statement
// can change how the server reads the next text: a plpgsql function made outside Vigil may call
// set_config('standard_conforming_strings', 'off', false), and Vigil cannot see into it. The server
// tells (ParameterStatus) only just before ReadyForQuery, so until then a text that reads
// differently under another setting cannot be judged: the proxy waits for the report, or, when
// the report will come only after that text is read (an Execute earlier in the same
// extended-protocol batch), refuses it. Texts that read alike under every setting go on at once
// (lexical-settings.ts, readsAlikeUnderAnySetting).

export class SettingReports {
  /** Executions forwarded since the last forwarded message that ends in ReadyForQuery. */
  #open = 0;
  /** Per forwarded message that ends in ReadyForQuery (Sync, Query), the executions it reports. */
  readonly #reports: number[] = [];
  #unreported = 0;
  #waiters: (() => void)[] = [];

  /** An Execute was forwarded: its settings are reported at its batch's Sync. */
  executed(): void {
    this.#open++;
    this.#unreported++;
  }

  /** A Sync, Query or FunctionCall was forwarded; `runs`: it executes a statement itself. */
  readyRequested(runs: boolean): void {
    if (runs) this.#unreported++;
    this.#reports.push(this.#open + (runs ? 1 : 0));
    this.#open = 0;
  }

  /** A ReadyForQuery arrived: the settings of the executions it ends are reported (they came first). */
  ready(): void {
    const reported = this.#reports.shift();
    if (reported === undefined) return;
    this.#unreported -= reported;
    if (this.#unreported === 0) this.#release();
  }

  /** Executions forwarded whose settings the server has not reported yet. */
  get unreported(): number {
    return this.#unreported;
  }

  /** An Execute of the batch now being sent is unreported: a text sent now is read before its report. */
  get batchOpen(): boolean {
    return this.#open > 0;
  }

  /** Resolves once every forwarded execution has been reported (never while the batch is open). */
  settled(): Promise<void> {
    if (this.#unreported === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The connection ended: nothing more will be reported. */
  abandon(): void {
    this.#release();
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
