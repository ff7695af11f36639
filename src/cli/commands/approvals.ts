// `vigil approvals`, `vigil request-access`, `vigil grants`, `vigil break-glass`: reviewing held
// actions and asking for time-bound access. They act as the signed-in person through the API.
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { inertLine as shown } from '../../core/inert-text.js';
import type { ApprovalRecord, GrantRecord } from '../../core/ports.js';
import { ApiClient, type ApiOptions, addApiOptions } from '../api-client.js';
import { table } from '../format.js';
import { describeHeldAction, type HeldAction, readHeldAction } from '../held-action-view.js';
import type { SetExitCode } from './index.js';

function votesOf(r: ApprovalRecord): string {
  const approvals = r.votes.filter((v) => v.decision === 'approve').length;
  return `${approvals}/${r.required}`;
}

function approvalTable(records: readonly ApprovalRecord[]): string {
  return table([
    ['ID', 'KIND', 'STATUS', 'REQUESTER', 'CONNECTION', 'VOTES', 'EXPIRES', 'WHAT'],
    ...records.map((r) => [
      r.id,
      r.kind,
      r.status,
      r.requester.subject,
      r.connection,
      votesOf(r),
      r.expiresAt,
      clip(typeof r.subject.summary === 'string' ? r.subject.summary : ''),
    ]),
  ]);
}

/**
 * A table cell's summary: table() makes cells inert, so this only shortens. Only runs of spaces and
 * tabs fold: a line break ends a SQL `--` comment and a shell command, so `… -- only row 1`, a break
 * and `or true` folded into one space read as one commented-out line; the cell shows it as `\n`.
 */
function clip(text: string, max = 60): string {
  const chars = Array.from(text.replace(/[ \t]+/g, ' '));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

/**
 * Every value comes from the gateway and, through it, from the requester: each is shown inert on its
 * own line, so the summary of a held action cannot redraw what the reviewer reads around it.
 */
function describeApproval(r: ApprovalRecord): string {
  const lines = [
    `approval   ${shown(r.id)} (${shown(r.kind)})`,
    `status     ${shown(r.status)}${r.decidedAt ? ` at ${shown(r.decidedAt)}` : ''}`,
    `requester  ${shown(r.requester.subject)}`,
    `connection ${shown(r.connection)}`,
    `session    ${shown(r.sessionId)}`,
    ...(r.rule ? [`rule       ${shown(r.rule)}`] : []),
    `reason     ${shown(r.reason)}`,
    ...(typeof r.subject.type === 'string' ? [`type       ${shown(r.subject.type)}`] : []),
    `what       ${shown(typeof r.subject.summary === 'string' ? r.subject.summary : '')}`,
    ...proposedBy(r),
    `approvers  ${shown(r.approvers.join(', '))} (${r.required} needed)`,
    `expires    ${shown(r.expiresAt)}`,
  ];
  for (const v of r.votes)
    lines.push(
      `  ${shown(v.decision.padEnd(7))} ${shown(v.reviewer.subject)} at ${shown(v.at)}: ${shown(v.reason)}`,
    );
  return lines.join('\n');
}

/** The model turn that proposed a held action, when Vigil found one. */
function proposedBy(r: ApprovalRecord): string[] {
  const p = r.subject.proposed_by;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) return [];
  return [
    `proposed   by model turn ${shown(String(p.node_id))} (request ${shown(String(p.request_id))}) in session ${shown(String(p.session_id))}; ${shown(String(p.evidence))}, confidence ${shown(String(p.confidence))}`,
  ];
}

/**
 * A grant's holder as the allow rules name it when it is a service account (`service:deploy`), so
 * it is not read as the user of that name; a user's grant shows the subject alone, as before.
 */
function holder(g: GrantRecord): string {
  return g.subjectKind === 'service' ? `service:${g.subject}` : g.subject;
}

function grantTable(grants: readonly GrantRecord[]): string {
  return table([
    ['ID', 'SUBJECT', 'CONNECTION', 'EXPIRES', 'STATE', 'BREAK-GLASS', 'REASON'],
    ...grants.map((g) => [
      g.id,
      holder(g),
      g.connection,
      g.expiresAt,
      g.revokedAt
        ? `revoked by ${g.revokedBy ?? '?'}`
        : Date.parse(g.expiresAt) <= Date.now()
          ? 'expired'
          : 'active',
      g.breakGlass ? 'yes' : '',
      clip(g.reason, 40),
    ]),
  ]);
}

/**
 * A request as its reviewer must read it: its facts, then, for a held action, the action whole (the
 * summary above is cut at 400 characters). An action that cannot be read is said so, facts kept.
 */
function describeForReview(r: ApprovalRecord, held: HeldAction | null): string {
  const facts = describeApproval(r);
  return held
    ? `${facts}\n${describeHeldAction(held)}`
    : `${facts}\naction     none: an ${shown(r.kind)} request holds no action; it asks for access to ${shown(r.connection)}`;
}

/**
 * Approving on a terminal asks after the whole request is shown; without a terminal to ask on, the
 * caller says `--yes` (a script, or a reviewer who read it with `vigil approvals show`). A held
 * action that cannot be read is not approved this way, as the console keeps Approve disabled.
 */
async function confirmApproval(api: ApiClient, id: string, print: (text: string) => void): Promise<boolean> {
  if (!process.stdin.isTTY)
    throw new VigilError(
      'usage',
      'approve shows the whole request and asks for confirmation on a terminal, and standard input is not one: read it with `vigil approvals show ID`, then pass --yes',
    );
  const { approval } = await api.call<{ approval: ApprovalRecord }>(
    'GET',
    `/api/approvals/${encodeURIComponent(id)}`,
  );
  const held = await readHeldAction(api, approval);
  print(describeForReview(approval, held));
  if (held?.state === 'missing')
    throw new VigilError(
      'usage',
      'the whole action could not be read, so it is not approved from here: deny it, or pass --yes to approve what you have not seen',
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`approve ${shown(id)}? type yes to approve: `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const client = (opts: ApiOptions) => ApiClient.from(program, opts);

  const approvals = program
    .command('approvals')
    .description('held actions and access requests awaiting review');
  addApiOptions(
    approvals
      .command('list', { isDefault: true })
      .description('list approval requests you may see (pending by default)')
      .option('--status <status>', 'pending, approved, denied, expired, withdrawn or all', 'pending')
      .option('--kind <kind>', 'action, access or break-glass')
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiOptions & { status: string; kind?: string; json?: boolean }) => {
    const query = new URLSearchParams({ status: opts.status, ...(opts.kind ? { kind: opts.kind } : {}) });
    const { approvals: records } = await client(opts).call<{ approvals: ApprovalRecord[] }>(
      'GET',
      `/api/approvals?${query}`,
    );
    if (opts.json) return console.log(JSON.stringify(records, null, 2));
    console.log(
      records.length === 0
        ? `no ${opts.status === 'all' ? '' : `${opts.status} `}approval requests`
        : approvalTable(records),
    );
  });
  addApiOptions(
    approvals
      .command('show')
      .description('one approval request in full')
      .argument('<id>')
      .option('--json', 'print JSON'),
  ).action(async (id: string, opts: ApiOptions & { json?: boolean }) => {
    const api = client(opts);
    const { approval } = await api.call<{ approval: ApprovalRecord }>(
      'GET',
      `/api/approvals/${encodeURIComponent(id)}`,
    );
    if (opts.json) return console.log(JSON.stringify(approval, null, 2));
    const held = await readHeldAction(api, approval);
    console.log(describeForReview(approval, held));
    // The reviewer has not seen what they would approve: a script must not read this as shown.
    if (held?.state === 'missing') setExitCode(1);
  });
  for (const decision of ['approve', 'deny'] as const) {
    const command = approvals
      .command(decision)
      .description(
        decision === 'approve'
          ? 'approve a request (it counts toward the approvals needed); shows it whole and asks first'
          : 'deny a request (one denial closes it)',
      )
      .argument('<id>')
      .requiredOption('--reason <text>', 'why: recorded in the ledger with your decision')
      .option('--json', 'print JSON');
    if (decision === 'approve')
      command.option(
        '--yes',
        'approve without showing the request and asking (needed when standard input is not a terminal)',
      );
    addApiOptions(command).action(
      async (id: string, opts: ApiOptions & { reason: string; json?: boolean; yes?: boolean }) => {
        const api = client(opts);
        if (decision === 'approve' && !opts.yes) {
          // --json keeps standard output for the answer alone.
          const print = (text: string) => (opts.json ? console.error(text) : console.log(text));
          if (!(await confirmApproval(api, id, print))) {
            console.error(`not approved: ${shown(id)} is unchanged`);
            return setExitCode(1);
          }
        }
        const { approval } = await api.call<{ approval: ApprovalRecord }>(
          'POST',
          `/api/approvals/${encodeURIComponent(id)}/${decision}`,
          { reason: opts.reason },
        );
        if (opts.json) return console.log(JSON.stringify(approval, null, 2));
        console.log(
          `${decision === 'approve' ? 'approved' : 'denied'} ${shown(id)}: now ${shown(approval.status)} (${votesOf(approval)} approvals)`,
        );
      },
    );
  }

  addApiOptions(
    program
      .command('request-access')
      .description(
        'ask for time-bound access to a connection; reviewers approve it with `vigil approvals approve`',
      )
      .argument('<connection>')
      .option('--duration <duration>', 'how long, such as 30m or 2h', '1h')
      .requiredOption('--reason <text>', 'why you need it: shown to reviewers and recorded')
      .option('--json', 'print JSON'),
  ).action(
    async (connection: string, opts: ApiOptions & { duration: string; reason: string; json?: boolean }) => {
      const { approval } = await client(opts).call<{ approval: ApprovalRecord }>(
        'POST',
        '/api/access-requests',
        {
          connection,
          duration: opts.duration,
          reason: opts.reason,
        },
      );
      if (opts.json) return console.log(JSON.stringify(approval, null, 2));
      console.log(
        `requested ${shown(approval.id)}: access to ${shown(connection)} for ${shown(opts.duration)}, awaiting ${approval.required} of ${shown(approval.approvers.join(', '))}`,
      );
    },
  );

  const grants = program.command('grants').description('time-bound access grants');
  addApiOptions(
    grants
      .command('list', { isDefault: true })
      .description('active grants (your own; admins and auditors see all)')
      .option('--all', 'include expired and revoked grants')
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiOptions & { all?: boolean; json?: boolean }) => {
    const { grants: list } = await client(opts).call<{ grants: GrantRecord[] }>(
      'GET',
      `/api/grants${opts.all ? '?all=1' : ''}`,
    );
    if (opts.json) return console.log(JSON.stringify(list, null, 2));
    console.log(list.length === 0 ? 'no grants' : grantTable(list));
  });
  addApiOptions(
    grants
      .command('revoke')
      .description('end a grant now: its live sessions are cut')
      .argument('<id>')
      .option('--json', 'print JSON'),
  ).action(async (id: string, opts: ApiOptions & { json?: boolean }) => {
    const { grant } = await client(opts).call<{ grant: GrantRecord }>(
      'POST',
      `/api/grants/${encodeURIComponent(id)}/revoke`,
      {},
    );
    console.log(
      opts.json
        ? JSON.stringify(grant, null, 2)
        : `revoked ${shown(grant.id)} (${shown(holder(grant))} on ${shown(grant.connection)})`,
    );
  });

  addApiOptions(
    program
      .command('break-glass')
      .description(
        'emergency access without waiting for approval: recorded, announced and reviewed afterwards',
      )
      .argument('<connection>')
      .option('--duration <duration>', 'how long, such as 30m', '30m')
      .requiredOption('--reason <text>', 'why this cannot wait: mandatory, recorded and shown to reviewers')
      .option('--json', 'print JSON'),
  ).action(
    async (connection: string, opts: ApiOptions & { duration: string; reason: string; json?: boolean }) => {
      const result = await client(opts).call<{ grant: GrantRecord; review: ApprovalRecord }>(
        'POST',
        '/api/break-glass',
        {
          connection,
          duration: opts.duration,
          reason: opts.reason,
        },
      );
      if (opts.json) return console.log(JSON.stringify(result, null, 2));
      console.log(
        `break-glass grant ${shown(result.grant.id)} on ${shown(connection)} until ${shown(result.grant.expiresAt)}; flagged for review as ${shown(result.review.id)}`,
      );
    },
  );
}
