// What Vigil expects of the server's answer to each command it forwarded, queued in order by the
// response tracker (response-tracker.ts): the shape the answer takes and what to do once it is in.
import type { VigilError } from '../../core/errors.js';
import type { DatabaseChange } from './statement-text.js';

export type Expectation =
  | {
      readonly kind: 'results';
      readonly binary: boolean;
      readonly started: number;
      /** Statement index → how it changes the database (`USE`, `DROP DATABASE`), on its OK. */
      readonly uses?: ReadonlyMap<number, DatabaseChange>;
      /** Statement index → what to do on its OK (an XA transaction started or ended: xa-transactions.ts). */
      readonly onStatementOk?: ReadonlyMap<number, () => void>;
      /**
       * The server's error message as it may be recorded: with the values the statement's record
       * masked replaced there too (`Duplicate entry '…'` quotes one; mask/value-echoes.ts).
       * With `cell`, a result cell as it may be recorded (a value the statement selects back).
       */
      readonly recordedMessage?: (text: string, cell?: boolean) => string;
      /**
       * The server may ask for a local file before this answer ends (LOAD DATA LOCAL, allowed on
       * the connection): what the client sends meanwhile may be that file, not a command.
       */
      readonly mayAskFile?: boolean;
      /**
       * `true` when that file may be recorded by its SHA-256 as well as its size, else why it may
       * not (local-infile.ts).
       */
      readonly infileDigest?: true | string;
      /** Called once the whole answer is in (or the command failed): a `USE` in it took effect or not. */
      readonly onAnswered?: () => void;
    }
  | {
      readonly kind: 'prepare';
      readonly onOk: (id: number, params: number) => void;
      readonly onErr: () => void;
    }
  | { readonly kind: 'ok'; readonly onOk?: () => void; readonly onAnswered?: () => void }
  | { readonly kind: 'fields' }
  | { readonly kind: 'single' }
  | { readonly kind: 'refusal'; readonly packet: Buffer }
  /**
   * A command of Vigil's own: its OK is Vigil's, not the client's; anything else ends the session
   * (with `refusal` when given).
   */
  | { readonly kind: 'own'; readonly what: string; readonly refusal?: VigilError };
