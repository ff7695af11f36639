// The PostgreSQL setup of the console's approval tests: a gateway whose `pg` connection holds every
// UPDATE for review by `approvers`, with the console built, and an `accounts` table holding `rows`.
// `options` adds identities beside the standing test ones (an impostor) or leaves the rule's reason out.
import type { Locator, Page } from 'playwright-core';
import type { ApprovalRecord } from '../../../src/core/ports.js';
import { directClient, type PgFixture, startPgFixture } from '../../postgres/pg-gateway.js';
import { TEST_IDENTITIES } from '../../support/gateway.js';
import { buildConsole } from './browser.js';

export interface ReviewedWritesOptions {
  /** Identities the gateway knows besides TEST_IDENTITIES. */
  readonly extraIdentities?: readonly Record<string, unknown>[];
  /** The rule's reason, shown on the card; `null` gives the rule none. */
  readonly reason?: string | null;
}

const STANDING_REASON = 'writes on pg need a second pair of eyes';

export async function startReviewedWrites(
  database: string,
  approvers: readonly string[],
  rows: readonly (readonly [id: number, balance: number])[],
  options: ReviewedWritesOptions = {},
): Promise<PgFixture> {
  const reason = options.reason === undefined ? STANDING_REASON : options.reason;
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  const f = await startPgFixture(
    database,
    {},
    {},
    {
      ...(options.extraIdentities ? { identities: [...TEST_IDENTITIES, ...options.extraIdentities] } : {}),
      policy: {
        rules: [
          {
            name: 'review-writes',
            match: { connections: ['pg'], statement_kinds: ['UPDATE'] },
            action: 'review',
            ...(reason === null ? {} : { reason }),
            review: { approvers: [...approvers], timeout: '60s' },
          },
        ],
      },
    },
  );
  const direct = directClient(f);
  await direct.connect();
  await direct.query(
    `create table accounts (id int primary key, balance int); insert into accounts values ${rows.map(([id, balance]) => `(${id}, ${balance})`).join(', ')};`,
  );
  await direct.end();
  return f;
}

/** The request the fixture's gateway holds for review, once it holds one (at most 30 s). */
export async function heldRequest(f: PgFixture): Promise<ApprovalRecord> {
  for (let i = 0; i < 300; i++) {
    const [record] = await f.gateway.store.approvals.listApprovals({ status: 'pending' });
    if (record) return record;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the statement was not held');
}

/** Denies the request on its approval card, giving `reason`, and waits until the inbox is empty. */
export async function denyOnCard(page: Page, card: Locator, reason: string): Promise<void> {
  await card.getByTestId('approval-reason').fill(reason);
  await card.getByRole('button', { name: 'Deny' }).click();
  await page.getByTestId('inbox-empty').waitFor({ timeout: 10_000 });
}

/** Denies `record` as bob through the approval service, where no browser could be started. */
export async function denyWithoutBrowser(f: PgFixture, record: ApprovalRecord): Promise<void> {
  await f.gateway.approvals.service.decide(
    record.id,
    { subject: 'bob', kind: 'user', groups: ['contractors'] },
    'deny',
    'no',
  );
}
