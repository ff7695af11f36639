// What each message Vigil forwards to the server waits for (ResponseTracker follows the answers in
// this order): the statement an Execute or Query runs, and the Parse, Bind and Close whose effect
// on the server's statements and portals is applied only once the server confirms it.
import type { CopyOutShape } from './copy-out-shape.js';
import type { PendingBind, SqlNamespaceChanges } from './statement-state.js';

export interface Execution {
  readonly started: number;
  /** For the extended protocol: where the column descriptions come from when Describe preceded Execute. */
  readonly portal?: string;
  readonly statement?: string;
  readonly resultFormats?: readonly number[];
  /** The SQL PREPARE and DEALLOCATE names in the statement string, consumed as their tags arrive. */
  readonly sql?: SqlNamespaceChanges;
  /**
   * The server's error message as it may be recorded: with the values the statement's record
   * masked replaced there too (the server quotes a value it cannot read; mask/value-echoes.ts).
   * With `cell`, a result cell as it may be recorded (set_config answers with the masked value).
   */
  readonly recordedMessage?: (text: string, cell?: boolean) => string;
  /** It may start a COPY FROM STDIN (copy-in.ts): what follows waits until the server says. */
  readonly mayCopyIn?: boolean;
  /** Its COPY TO STDOUT statements, by index in the text (copy-out-shape.ts). */
  readonly copyOut?: ReadonlyMap<number, CopyOutShape>;
}

type Body =
  | { readonly kind: 'parse'; readonly name: string; readonly text: string | null }
  | { readonly kind: 'bind'; readonly bind: PendingBind }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'sync' }
  | { readonly kind: 'describe'; readonly target: 'S' | 'P'; readonly name: string }
  | { readonly kind: 'query' | 'execute'; readonly exec: Execution }
  /**
   * A refusal delivered through the server: Vigil sent a message the server must reject, so the
   * transaction ends up as if the refused statement had failed there. The server's error is
   * replaced by Vigil's. `simple` refusals answer with their own ReadyForQuery.
   */
  | { readonly kind: 'refusal'; readonly simple: boolean; readonly error: Buffer };

/** What a forwarded message waits for, and the Sync-delimited batch it belongs to. */
export type Expectation = Body & { readonly batch: number };
