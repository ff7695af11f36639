// Runs a frontend message sequence on a fresh session, through Vigil and straight to the server,
// and gathers both sides of the comparison: Vigil's db.query records, the server's log of what
// the backend executed, the replies the client saw, and whether the guarded table survived.
import pg from 'pg';
import { startTestGateway, type TestGateway, TOKENS } from '../../support/gateway.js';
import { type DifferentialCluster, startDifferentialCluster } from './cluster.js';
import { encode, type Sequence, vigilMayIntervene } from './frontend-sequences.js';
import { type ServerExecution, ServerLog } from './server-log.js';
import {
  compareExecutions,
  compareReplies,
  compareServerTexts,
  isVigilRefusal,
  recordedStatements,
  replyLines,
} from './session-checks.js';
import { type BackendMessage, WireClient } from './wire.js';

const RESET_SCHEMA = `DROP TABLE IF EXISTS t;
CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');`;

/** Ends every sequence: after Sync and ROLLBACK the server answers it whatever state it was left in. */
const SENTINEL = "SELECT 'differential-end'";

interface SessionRun {
  readonly pid: number;
  readonly replies: BackendMessage[];
  readonly executed: ServerExecution[];
}

export class SessionDifferential {
  readonly cluster: DifferentialCluster;
  readonly gateway: TestGateway;
  readonly #admin: pg.Client;
  readonly #log: ServerLog;
  /** How the sequences fell, so a run can show it compared replies and met denials. */
  readonly tally = { sessions: 0, transparencyCompared: 0, withDenial: 0 };

  private constructor(cluster: DifferentialCluster, gateway: TestGateway, admin: pg.Client) {
    this.cluster = cluster;
    this.gateway = gateway;
    this.#admin = admin;
    this.#log = new ServerLog(cluster.logFile);
  }

  static async start(): Promise<SessionDifferential> {
    const cluster = await startDifferentialCluster();
    try {
      const gateway = await startTestGateway({
        connections: [
          {
            name: 'pg',
            type: 'postgres',
            listen: '127.0.0.1:0',
            upstream: cluster.url,
            allow: ['*'],
            guardrails: { deny_statements: ['DROP', 'TRUNCATE'] },
            // Each case reads its own backend's log to its disconnect: no server connection is kept.
            pool: { max_idle: 0 },
          },
        ],
      });
      const admin = new pg.Client({ connectionString: cluster.url });
      await admin.connect();
      return new SessionDifferential(cluster, gateway, admin);
    } catch (err) {
      await cluster.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#admin.end().catch(() => undefined);
    await this.gateway.close();
    await this.cluster.close();
  }

  #vigilAddress(): { host: string; port: number } {
    const address = this.gateway.listeners.find((l) => l.connection === 'pg')!.address;
    const i = address.lastIndexOf(':');
    return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
  }

  async #play(client: WireClient, seq: Sequence): Promise<SessionRun> {
    client.send([encode({ kind: 'query', text: 'SELECT pg_backend_pid()' })]);
    await client.until(() => client.count('Z') === 1);
    const row = client.messages.find((m) => m.code === 'D');
    if (!row) throw new Error(`no backend pid: ${client.codes()}`);
    const pid = Number(row.body.toString('latin1', 6));
    client.messages.length = 0;
    let syncs = 0;
    for (const batch of seq) {
      client.send(batch.ops.map(encode));
      syncs += batch.ops.filter((o) => o.kind === 'sync').length;
      if (batch.wait) {
        // Every Sync gets a ReadyForQuery; Queries do too unless skipped after an error, which the
        // client cannot know ahead, so the wait ends once the replies pause.
        await client.until(() => client.count('Z') >= syncs);
        await client.quiet(15);
      }
    }
    client.send([
      encode({ kind: 'sync' }),
      encode({ kind: 'query', text: 'ROLLBACK' }),
      encode({ kind: 'query', text: SENTINEL }),
    ]);
    await client.until(() => {
      const m = client.messages;
      const end = m.findIndex((x) => x.code === 'D' && x.body.includes('differential-end'));
      return end >= 0 && m.slice(end).some((x) => x.code === 'Z');
    });
    const replies = [...client.messages];
    await client.close();
    return { pid, replies, executed: await this.#log.executionsOf(pid) };
  }

  async #resetSchema(): Promise<void> {
    await this.#admin.query(RESET_SCHEMA);
  }

  /** What the guardrails protect, as an attacker would check it: t exists and row 1 (which no allowed statement removes) is there. */
  async #guardedDamage(): Promise<string[]> {
    const r = await this.#admin.query("SELECT to_regclass('public.t') IS NOT NULL AS present");
    if (r.rows[0]?.present !== true)
      return ['table t was dropped through Vigil although its guardrails deny DROP'];
    const rows = await this.#admin.query('SELECT count(*)::int AS n FROM t WHERE id = 1');
    return rows.rows[0]?.n === 1
      ? []
      : ['table t was emptied through Vigil although its guardrails deny TRUNCATE'];
  }

  /** Runs the sequence and returns every finding (empty when Vigil's view equals the server's). */
  async check(seq: Sequence): Promise<string[]> {
    const findings: string[] = [];
    await this.#resetSchema();
    const earlier = await this.#sessionIds();
    const { host, port } = this.#vigilAddress();
    let viaVigil: SessionRun;
    const client = await WireClient.connect(host, port, { user: 'alice', database: 'vigil' }, TOKENS.alice);
    try {
      viaVigil = await this.#play(client, seq);
    } catch (err) {
      await client.close();
      return [`the session through Vigil did not complete: ${(err as Error).message}`];
    }
    findings.push(...(await this.#guardedDamage()));
    await this.gateway.recorder.drain();
    const events = await this.#eventsOfNewSession(earlier);
    const recorded = recordedStatements(events);
    findings.push(...compareExecutions(recorded, viaVigil.executed));
    this.tally.sessions++;
    if (recorded.some((r) => r.denied)) this.tally.withDenial++;

    if (!vigilMayIntervene(seq)) {
      await this.#resetSchema();
      const direct = await WireClient.connect(
        this.cluster.host,
        this.cluster.port,
        {
          user: this.cluster.user,
          database: this.cluster.database,
        },
        null,
      );
      const straight = await this.#play(direct, seq);
      this.tally.transparencyCompared++;
      findings.push(...compareReplies(straight.replies, viaVigil.replies));
      // A refusal keeps a statement from the server on purpose: the texts then differ by design.
      if (!replyLines(viaVigil.replies).some(isVigilRefusal)) {
        findings.push(...compareServerTexts(straight.executed, viaVigil.executed));
      }
    }
    return findings;
  }

  async #sessionIds(): Promise<Set<string>> {
    await this.gateway.recorder.drain();
    const sessions = await this.gateway.store.ledger.listSessions({ connection: 'pg', limit: 100_000 });
    return new Set(sessions.map((s) => s.id));
  }

  async #eventsOfNewSession(earlier: ReadonlySet<string>) {
    const sessions = await this.gateway.store.ledger.listSessions({ connection: 'pg', limit: 100_000 });
    const fresh = sessions.filter((s) => !earlier.has(s.id));
    if (fresh.length !== 1) throw new Error(`expected one new Vigil session, found ${fresh.length}`);
    return this.gateway.store.ledger.readSession(fresh[0]!.id);
  }
}
