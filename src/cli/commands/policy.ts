// `vigil policy test`: what the gateway would decide for a sample action, from the configuration
// alone (no running gateway). The action goes through the same Policy the gateway builds: the
// connection's guardrails first, then the configured rules.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { ACTION_EVENT_TYPES } from '../../core/actions.js';
import type { ConnectionConfig, VigilConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import { type EventDraft, type Identity, type JsonObject, nowIso } from '../../core/events.js';
import { Policy, type PolicyVerdict } from '../../pipeline/policy.js';
import { PolicyRules, type RuleMatch } from '../../policy/policy-rules.js';
import { PROTOCOLS } from '../../protocols/index.js';
import { buildGuards } from '../../server/protocol-modules.js';
import { loadCliConfig } from '../context.js';
import { table } from '../format.js';
import { mergedDescription } from '../sample-help.js';
import type { SetExitCode } from './index.js';

/** Options every sample shares; each module's own (`--sql`, `--prompt`, `--model` ...) are read by name. */
interface TestOptions {
  event?: string;
  connection?: string;
  user?: string;
  group: string[];
  explain?: boolean;
  json?: boolean;
  [option: string]: string | string[] | boolean | undefined;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Every module's samples, each with the module that builds it. */
const SAMPLES = PROTOCOLS.modules.flatMap((module) =>
  (module.samples ?? []).map((sample) => ({ module, sample })),
);

/**
 * The samples by option: several modules may share one (`--sql` for PostgreSQL and MySQL), and the
 * connection's type then says whose sample builds the action.
 */
const SAMPLE_OPTIONS = new Map<string, (typeof SAMPLES)[number][]>();
for (const entry of SAMPLES) {
  const shared = SAMPLE_OPTIONS.get(entry.sample.option);
  if (shared) shared.push(entry);
  else SAMPLE_OPTIONS.set(entry.sample.option, [entry]);
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const policy = program.command('policy').description('policy rules: try them before relying on them');
  const test = policy
    .command('test')
    .description('evaluate a sample action against the guardrails and rules, as the gateway would')
    .addHelpText(
      'after',
      '\nExit code: 0 allowed, 1 denied or held for review, 2 usage or configuration error.',
    )
    .option(
      '--event <file>',
      'the action as JSON {type, connection, identity, payload} (- for standard input)',
    )
    .option('--connection <name>', 'the connection the action is on')
    .option('--user <subject>', 'who acts (a configured identity lends its kind and groups)')
    .option('--group <name>', 'a group of the acting identity (repeatable)', collect, []);
  const refinements = new Set<string>();
  for (const [option, samples] of SAMPLE_OPTIONS) {
    test.option(`--${option} <text>`, mergedDescription(samples.map(({ sample }) => sample.description)));
  }
  for (const { sample } of SAMPLES) {
    for (const [name, r] of Object.entries(sample.refinements ?? {})) {
      if (refinements.has(name)) continue;
      refinements.add(name);
      if (r.repeatable)
        test.option(
          `--${name} <value>`,
          `${r.description} (with --${sample.option}, repeatable)`,
          collect,
          [],
        );
      else test.option(`--${name} <value>`, `${r.description} (with --${sample.option})`);
    }
  }
  test
    .option('--explain', "show every rule's match")
    .option('--json', 'print JSON')
    .action(async (opts: TestOptions) => {
      const { config } = loadCliConfig(program.opts());
      const draft = await sampleAction(config, opts);
      const rules = new PolicyRules(config.policy, PROTOCOLS.describeAction);
      const guards = await buildGuards(PROTOCOLS, config);
      const verdict = new Policy(guards, rules).evaluate(draft);
      // Guardrails only deny, and deny before any rule is read.
      const guardrail = new Policy(guards).evaluate(draft).decision.action === 'deny';
      const matches = opts.explain ? rules.explain(draft) : null;
      if (opts.json) console.log(JSON.stringify(toJson(draft, verdict, guardrail, matches), null, 2));
      else console.log(render(draft, verdict, guardrail, matches));
      if (verdict.decision.action !== 'allow') setExitCode(1);
    });
}

const eventFileSchema = z.object({
  type: z.enum(ACTION_EVENT_TYPES),
  connection: z.string().min(1),
  identity: z.object({
    subject: z.string().min(1),
    kind: z.enum(['user', 'service']).default('user'),
    groups: z.array(z.string()).default([]),
  }),
  payload: z.record(z.string(), z.json()).default({}),
});

async function sampleAction(config: VigilConfig, opts: TestOptions): Promise<EventDraft> {
  const given = [...SAMPLE_OPTIONS.keys()].filter((option) => typeof opts[option] === 'string');
  const inputs = ['--event FILE', ...[...SAMPLE_OPTIONS.keys()].map((option) => `--${option} TEXT`)];
  const names = `${inputs.slice(0, -1).join(', ')} or ${inputs.at(-1)}`;
  if ((opts.event !== undefined ? 1 : 0) + given.length !== 1)
    throw new VigilError('usage', `give one of ${names}`);
  if (opts.event !== undefined) {
    if (opts.connection || opts.user || opts.group.length)
      throw new VigilError('usage', '--event takes the connection, identity and payload from the file');
    return fromEventFile(config, opts.event);
  }
  const option = given[0]!;
  if (!opts.connection) throw new VigilError('usage', `--connection is required with --${option}`);
  if (!opts.user) throw new VigilError('usage', `--user is required with --${option}`);
  const connection = findConnection(config, opts.connection);
  const candidates = SAMPLE_OPTIONS.get(option)!;
  const served = candidates.find(({ module }) => PROTOCOLS.moduleFor(connection.type) === module);
  if (!served) {
    const kinds = candidates.map(({ module }) => module.name).join(' or ');
    throw new VigilError(
      'usage',
      `--${option} needs a ${kinds} connection; ${connection.name} is ${connection.type}`,
    );
  }
  const { sample } = served;
  const refine: Record<string, string | readonly string[] | undefined> = {};
  for (const name of Object.keys(sample.refinements ?? {})) {
    const value = opts[name];
    if (typeof value === 'string' || Array.isArray(value)) refine[name] = value;
  }
  const action = await sample.build(connection, String(opts[sample.option]), refine);
  return draftOf(action.type, connection.name, identityOf(config, opts.user, opts.group), action.payload);
}

async function fromEventFile(config: VigilConfig, file: string): Promise<EventDraft> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new VigilError('usage', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new VigilError('usage', `${file} is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = eventFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VigilError('usage', `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const event = parsed.data;
  const connection = findConnection(config, event.connection);
  // A hand-written action rarely carries what the adapter adds (a statement's classification).
  const module = PROTOCOLS.moduleFor(connection.type);
  const payload = event.payload as JsonObject;
  const completed = module?.completeAction ? await module.completeAction(event.type, payload) : payload;
  return draftOf(event.type, event.connection, { ...event.identity }, completed);
}

function findConnection(config: VigilConfig, name: string): ConnectionConfig {
  const connection = config.connections.find((c) => c.name === name);
  if (connection) return connection;
  const known = config.connections.map((c) => c.name).join(', ') || 'none';
  throw new VigilError('usage', `no connection named ${name} in the configuration (known: ${known})`);
}

function identityOf(config: VigilConfig, subject: string, groups: readonly string[]): Identity {
  const configured = config.identities.find((i) => i.name === subject);
  return {
    subject,
    kind: configured?.kind ?? 'user',
    groups: groups.length > 0 ? [...groups] : [...(configured?.groups ?? [])],
  };
}

function draftOf(
  type: EventDraft['type'],
  connection: string,
  identity: Identity,
  payload: JsonObject,
): EventDraft {
  return { type, sessionId: 'policy-test', connection, identity, time: nowIso(), payload };
}

function describeIdentity(identity: Identity): string {
  const groups = identity.groups.length > 0 ? ` (groups: ${identity.groups.join(', ')})` : '';
  return `${identity.kind}:${identity.subject}${groups}`;
}

/** 300000 → 5m: the largest unit that divides the duration. */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function render(
  draft: EventDraft,
  verdict: PolicyVerdict,
  guardrail: boolean,
  matches: readonly RuleMatch[] | null,
): string {
  const { decision } = verdict;
  const by = guardrail
    ? `guardrail ${verdict.decidedBy} of connection ${draft.connection}`
    : verdict.decidedBy === 'default'
      ? 'the default (no rule decided)'
      : `rule ${verdict.decidedBy}`;
  const rows: [string, string][] = [
    ['action', `${draft.type} on ${draft.connection} by ${describeIdentity(draft.identity)}`],
    ['decision', decision.action === 'review' ? 'review (held for approval)' : decision.action],
    ['decided by', by],
  ];
  if (decision.action !== 'allow') rows.push(['reason', decision.reason]);
  if (decision.action === 'review') {
    const { approvers, required, timeoutMs } = decision.review;
    rows.push(['review', `${required} of ${approvers.join(', ')} within ${formatDuration(timeoutMs)}`]);
  }
  for (const alert of verdict.alerts) rows.push(['alert', `${alert.rule}: ${alert.reason}`]);
  const lines = rows.map(([key, value]) => `${key.padEnd(11)} ${value}`);
  if (matches) {
    lines.push('');
    if (matches.length === 0) lines.push('no rules configured');
    else {
      if (guardrail) lines.push('(the guardrail decided before the rules were evaluated)');
      const body = matches.map((m) => [m.rule, m.action, m.matched ? 'matched' : `no (${m.failed})`]);
      lines.push(table([['RULE', 'ACTION', 'MATCH'], ...body]));
    }
  }
  return lines.join('\n');
}

function toJson(
  draft: EventDraft,
  verdict: PolicyVerdict,
  guardrail: boolean,
  matches: readonly RuleMatch[] | null,
): JsonObject {
  return {
    action: {
      type: draft.type,
      connection: draft.connection,
      identity: { ...draft.identity, groups: [...draft.identity.groups] },
    },
    decision: verdict.decision.action,
    decidedBy: verdict.decidedBy,
    guardrail,
    reason: verdict.decision.action === 'allow' ? null : verdict.decision.reason,
    review:
      verdict.decision.action === 'review'
        ? {
            approvers: [...verdict.decision.review.approvers],
            required: verdict.decision.review.required,
            timeoutMs: verdict.decision.review.timeoutMs,
          }
        : null,
    alerts: verdict.alerts.map((a) => ({ rule: a.rule, reason: a.reason })),
    ...(matches ? { rules: matches.map((m) => ({ ...m })) } : {}),
  };
}
