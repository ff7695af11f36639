// Compares Vigil's SQL classifier with the server on one simple-query string. The server parses
// the whole string before running any of it, so either it rejects the string at once (a syntax
// error, or a lexical data exception such as a bad escape: SQLSTATE 42601 or class 22, before
// any command completes) and the classifier must say UNKNOWN, or it runs the statements one by
// one and the command tags must name the classifier's top-level statement kinds, in order.
import { parseErrorFields } from '../../../src/protocols/postgres/backend-messages.js';
import type { SqlClassifier } from '../../../src/protocols/postgres/sql-classifier.js';
import type { DifferentialCluster } from './cluster.js';
import { encode } from './frontend-sequences.js';
import { type BackendMessage, WireClient } from './wire.js';

/** A command tag's first word as the classifier's kind (RESET is a VariableSetStmt too). */
const KIND_OF_TAG: Readonly<Record<string, string>> = { RESET: 'SET' };

export interface ServerVerdict {
  /** The server's raw parser rejected the string: nothing ran. */
  readonly rejected: boolean;
  /** Statement kinds in the order the server ran them (up to the first run-time error). */
  readonly kinds: string[];
  readonly error: string | null;
}

export function verdictOf(replies: readonly BackendMessage[]): ServerVerdict {
  const kinds: string[] = [];
  let started = false;
  for (const m of replies) {
    if (m.code === 'C') {
      const tag = m.body.toString('latin1').replace(/\0$/, '').split(' ')[0]!;
      kinds.push(KIND_OF_TAG[tag] ?? tag);
      started = true;
    } else if (m.code === 'T' || m.code === 'D' || m.code === 'I') {
      started = true;
    } else if (m.code === 'E') {
      const e = parseErrorFields(m.body);
      const lexical = e.code === '42601' || e.code.startsWith('22');
      return { rejected: !started && lexical, kinds, error: `${e.code} ${e.message}` };
    }
  }
  return { rejected: false, kinds, error: null };
}

export class TokenizerDifferential {
  readonly #client: WireClient;
  readonly #classifier: SqlClassifier;
  /** How the strings fell, so a run can show its generator reached both sides. */
  readonly tally = { rejected: 0, ran: 0 };

  readonly #serverMajor: number;

  private constructor(client: WireClient, classifier: SqlClassifier, serverMajor: number) {
    this.#client = client;
    this.#classifier = classifier;
    this.#serverMajor = serverMajor;
  }

  static async start(
    cluster: DifferentialCluster,
    classifier: SqlClassifier,
  ): Promise<TokenizerDifferential> {
    const client = await WireClient.connect(
      cluster.host,
      cluster.port,
      { user: cluster.user, database: cluster.database },
      null,
    );
    client.send([encode({ kind: 'query', text: 'SHOW server_version_num' })]);
    await client.until(() => client.count('Z') === 1);
    const row = client.messages.find((m) => m.code === 'D');
    const major = Math.floor(Number(row?.body.toString('latin1', 6) ?? '0') / 10000);
    return new TokenizerDifferential(client, classifier, major);
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  /**
   * The classifier parses with PostgreSQL 18's grammar, where 0x1F, 0o17, 0b101 and 1_000 are
   * numbers; servers before 16 reject them as junk after a number. That direction is safe (the
   * server runs nothing the classifier did not see), so it alone is excused, and only there.
   */
  #olderGrammarRejects(server: ServerVerdict): boolean {
    return (
      this.#serverMajor > 0 &&
      this.#serverMajor < 16 &&
      /trailing junk after numeric literal/.test(server.error ?? '')
    );
  }

  /** Runs `sql` inside a transaction that is rolled back, so nothing it sets outlives it. */
  async #serverVerdict(sql: string): Promise<ServerVerdict> {
    const c = this.#client;
    c.messages.length = 0;
    c.send([encode({ kind: 'query', text: 'BEGIN' }), encode({ kind: 'query', text: sql })]);
    await c.until(() => c.count('Z') === 2);
    const replies = c.messages.slice(c.messages.findIndex((m) => m.code === 'Z') + 1);
    c.send([encode({ kind: 'query', text: 'ROLLBACK' })]);
    await c.until(() => c.count('Z') === 3);
    return verdictOf(replies);
  }

  /** The mismatch between the classifier and the server for `sql`, or null when they agree. */
  async check(sql: string): Promise<string | null> {
    const classes = this.#classifier.classify(sql).filter((c) => !c.nested);
    const unknown = classes.length === 1 && classes[0]!.kind === 'UNKNOWN';
    const kinds = classes.map((c) => c.kind);
    const server = await this.#serverVerdict(sql);
    if (server.rejected) this.tally.rejected++;
    else this.tally.ran++;
    if (server.rejected && !unknown && this.#olderGrammarRejects(server)) return null;
    if (server.rejected !== unknown) {
      return server.rejected
        ? `the server rejects it before running anything (${server.error}) but the classifier saw ${JSON.stringify(kinds)}`
        : `the classifier cannot parse it (UNKNOWN) but the server ran ${JSON.stringify(server.kinds)}${server.error ? ` then failed: ${server.error}` : ''}`;
    }
    if (unknown) return null;
    // After a run-time error the rest never ran: what did run must be the classifier's prefix.
    const expected = server.error ? kinds.slice(0, server.kinds.length) : kinds;
    if (
      JSON.stringify(expected) !== JSON.stringify(server.kinds) ||
      (server.error && kinds.length <= server.kinds.length)
    ) {
      return `the server ran ${JSON.stringify(server.kinds)}${server.error ? ` then failed: ${server.error}` : ''}; the classifier saw ${JSON.stringify(kinds)}`;
    }
    return null;
  }
}
