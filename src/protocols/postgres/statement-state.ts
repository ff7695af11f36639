// What Vigil knows of the server's prepared statements and portals: only what the server
// confirmed. A Parse becomes a statement on ParseComplete, a Bind a portal on BindComplete, a
// Close takes effect on CloseComplete; a message the server refused or skipped changes nothing.
// Where the server's state changes in ways Vigil cannot follow exactly (SQL PREPARE, DEALLOCATE,
// DECLARE, CLOSE, DISCARD, the end of a transaction), Vigil forgets rather than guesses: a
// statement or portal it does not know is one it refuses to judge.
//
// Names are kept as latin1 strings of their raw bytes, so two names the server tells apart are
// never merged by a lossy decoding.
import type { JsonValue } from '../../core/events.js';

export interface KnownStatement {
  /** The text the server parsed, or null when it is not valid UTF-8 (Vigil cannot read it). */
  readonly text: string | null;
}

export interface KnownPortal {
  readonly statement: string;
  /** The statement text bound into the portal, as confirmed when the server bound it. */
  readonly text: string | null;
  /** Parameters as recorded (text as strings, binary as \x hex, NULL as null). */
  readonly params: readonly JsonValue[];
  /** The raw parameter bytes, for the action digest an approval is bound to. */
  readonly rawParams: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

export interface PendingBind {
  readonly portal: string;
  readonly statement: string;
  readonly params: readonly JsonValue[];
  readonly rawParams: readonly (Buffer | null)[];
  readonly resultFormats: readonly number[];
}

/**
 * SQL PREPARE and DEALLOCATE work on the same prepared statements as Parse and Close. The
 * statement string that runs them says which names, in order; their command tags say when.
 */
export interface SqlNamespaceChanges {
  /** The whole statement string: what the server keeps as a SQL-prepared statement's text. */
  readonly text: string;
  /** Name keys (see nameKey) prepared, in statement order. */
  readonly prepares: string[];
  /** Name keys deallocated, in statement order; '*' for DEALLOCATE ALL. */
  readonly deallocates: string[];
  /** Cursor name keys declared (DECLARE), in statement order. */
  readonly declares: string[];
}

/** Command tags after which the server's portals may differ from what Vigil saw (cursors share their namespace). */
const FORGETS_PORTALS = new Set(['DECLARE CURSOR', 'CLOSE CURSOR', 'CLOSE CURSOR ALL', 'DISCARD ALL']);

export class StatementState {
  readonly #statements = new Map<string, KnownStatement>();
  readonly #portals = new Map<string, KnownPortal>();
  /**
   * Names of cursors declared in SQL (judged with their DECLARE), for FETCH and MOVE. A name is
   * dropped when a Bind makes it a protocol portal, whose text is judged instead; a cursor closed
   * since may stay listed, since only a Bind can put unjudged text under a name again.
   */
  readonly #cursors = new Set<string>();

  statement(name: string): KnownStatement | undefined {
    return this.#statements.get(name);
  }

  portal(name: string): KnownPortal | undefined {
    return this.#portals.get(name);
  }

  parsed(name: string, text: string | null): void {
    this.#statements.set(name, { text });
  }

  /** A Parse the server refused: the unnamed statement was dropped before parsing began. */
  parseFailed(name: string): void {
    if (name === '') this.#statements.delete('');
  }

  /** Whether a portal name is a cursor declared in SQL (and judged there), not a protocol portal. */
  isCursor(name: string): boolean {
    return this.#cursors.has(name);
  }

  bound(bind: PendingBind): void {
    this.#cursors.delete(bind.portal);
    this.#portals.set(bind.portal, {
      statement: bind.statement,
      text: this.#statements.get(bind.statement)?.text ?? null,
      params: bind.params,
      rawParams: bind.rawParams,
      resultFormats: bind.resultFormats,
    });
  }

  closed(target: 'S' | 'P', name: string): void {
    if (target === 'S') this.#statements.delete(name);
    else this.#portals.delete(name);
  }

  /**
   * An error aborts the transaction, and with it the portals the server keeps for it (only
   * COMMIT or ROLLBACK could still run in a failed block): Vigil forgets them all.
   */
  failed(): void {
    this.#portals.clear();
  }

  /** ReadyForQuery: outside a transaction block (I) or in a failed one (E), no bound portal survives. */
  ready(status: string): void {
    if (status !== 'T') this.#portals.clear();
  }

  /**
   * A completed SQL command that touches the same namespaces as the protocol's own messages. When
   * Vigil cannot tell which name it touched, it forgets every statement rather than guess.
   */
  commandCompleted(tag: string, sql: SqlNamespaceChanges | undefined): void {
    if (FORGETS_PORTALS.has(tag)) this.#portals.clear();
    if (tag === 'DISCARD ALL') {
      this.#statements.clear();
      this.#cursors.clear();
    }
    if (tag === 'DECLARE CURSOR') {
      const name = sql?.declares.shift();
      if (name !== undefined) this.#cursors.add(name);
    }
    if (tag === 'PREPARE') {
      const name = sql?.prepares.shift();
      if (name === undefined) this.#statements.clear();
      else this.#statements.set(name, { text: sql!.text });
    }
    if (tag === 'DEALLOCATE' || tag === 'DEALLOCATE ALL') {
      const name = sql?.deallocates.shift();
      if (name === undefined || name === '*' || tag === 'DEALLOCATE ALL') this.#statements.clear();
      else this.#statements.delete(name);
    }
  }
}

/** A forwarded Parse, Bind or Close whose answer has not arrived (the tracker's expectations). */
export type PendingChange =
  | { readonly kind: 'parse'; readonly name: string; readonly text: string | null }
  | { readonly kind: 'bind'; readonly bind: PendingBind }
  | { readonly kind: 'close'; readonly target: 'S' | 'P'; readonly name: string };

/**
 * The portal an Execute will run when every pending message of its own batch succeeds. That is
 * the only case in which it runs at all: if one of them fails, the server skips the rest of the
 * batch, Execute included. (Pending messages of earlier batches are another matter: one may have
 * failed and the server gone on, so the caller waits for their answers instead of predicting.)
 */
export function portalAfter(
  state: StatementState,
  pending: readonly PendingChange[],
  portal: string,
): KnownPortal | undefined {
  const statements = new Map<string, KnownStatement | undefined>();
  const portals = new Map<string, KnownPortal | undefined>();
  const statement = (name: string) => (statements.has(name) ? statements.get(name) : state.statement(name));
  for (const change of pending) {
    if (change.kind === 'parse') statements.set(change.name, { text: change.text });
    else if (change.kind === 'close') {
      if (change.target === 'S') statements.set(change.name, undefined);
      else portals.set(change.name, undefined);
    } else {
      const { bind } = change;
      const bound = statement(bind.statement);
      // Binding a statement that will not exist fails, and the Execute is skipped with it.
      portals.set(
        bind.portal,
        bound === undefined
          ? undefined
          : {
              statement: bind.statement,
              text: bound.text,
              params: bind.params,
              rawParams: bind.rawParams,
              resultFormats: bind.resultFormats,
            },
      );
    }
  }
  return portals.has(portal) ? portals.get(portal) : state.portal(portal);
}
