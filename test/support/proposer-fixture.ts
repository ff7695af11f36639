// A model that proposes a statement and a database where running it is held for review: the demo
// model, scripted to answer "fix the balance" with an UPDATE in a code block, and a gateway with an
// LLM connection `oa` and a PostgreSQL connection `pg` whose UPDATEs wait for group:security. Used
// by the tests of links between actions and the model turns that proposed them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import {
  createScratchDatabase,
  startTestPostgres,
  type TestPostgres,
  withPassword,
} from './postgres-server.js';

export const PROPOSAL = 'UPDATE accounts SET balance = 0 WHERE id = 1;';

export interface ProposerFixture {
  readonly server: TestPostgres;
  readonly model: DemoModel;
  readonly gateway: TestGateway;
  /** A client of the `pg` connection through the gateway, the Vigil token as its password. */
  client(user: string, token: string): pg.Client;
  close(): Promise<void>;
}

export interface ProposerOptions {
  /** What the model proposes (PROPOSAL by default). */
  readonly proposal?: string;
  /** Who may use `oa` and `pg` (group:ai-eng and everyone by default). */
  readonly allowModel?: readonly string[];
  readonly allowDatabase?: readonly string[];
  /** Whether UPDATEs on `pg` wait for group:security (the default). */
  readonly reviewUpdates?: boolean;
}

/** `database`: the scratch database's name (one per test file). */
export async function startProposerFixture(
  database: string,
  options: ProposerOptions = {},
): Promise<ProposerFixture> {
  const proposal = options.proposal ?? PROPOSAL;
  const server = await startTestPostgres();
  const url = await createScratchDatabase(server, database);
  const direct = new pg.Client({ connectionString: withPassword(url, server.password) });
  await direct.connect();
  await direct.query(
    'create table accounts (id int primary key, balance int); insert into accounts values (1, 10)',
  );
  await direct.end();
  if (server.password) process.env.VIGIL_TEST_PG_PASSWORD = server.password;
  const script = join(mkdtempSync(join(tmpdir(), 'vigil-proposer-')), 'script.yaml');
  writeFileSync(
    script,
    JSON.stringify({
      rules: [
        {
          match: { last_user: 'fix the balance' },
          reply: { text: `Run this:\n\n\`\`\`sql\n${proposal}\n\`\`\`` },
        },
      ],
    }),
  );
  const model = await startDemoModel({ host: '127.0.0.1', port: 0, script });
  const gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', upstream: model.url, allow: options.allowModel ?? ['group:ai-eng'] },
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: url,
        ...(server.password ? { credential: 'env:VIGIL_TEST_PG_PASSWORD' } : {}),
        allow: options.allowDatabase ?? ['*'],
      },
    ],
    policy: {
      rules:
        options.reviewUpdates === false
          ? []
          : [
              {
                name: 'review-updates',
                match: { events: ['db.query'], statement_kinds: ['UPDATE'] },
                action: 'review',
                review: { approvers: ['group:security'], timeout: '60s' },
              },
            ],
    },
  });
  return {
    server,
    model,
    gateway,
    client(user, token) {
      const address = gateway.listeners.find((l) => l.connection === 'pg')!.address;
      const i = address.lastIndexOf(':');
      return new pg.Client({
        host: address.slice(0, i),
        port: Number(address.slice(i + 1)),
        user,
        database: 'vigil',
        password: token,
      });
    },
    async close() {
      await gateway.close();
      await model.close();
      await server.close();
    },
  };
}
