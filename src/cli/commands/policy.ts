// `vigil policy test`: what the gateway would decide for a sample action, from the configuration
// alone (no running gateway). The action goes through the same Policy the gateway builds: the
// connection's guardrails first, then the configured rules.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import type { ConnectionConfig, VigilConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import { type EventDraft, type Identity, type JsonObject, nowIso } from '../../core/events.js';
import type { LlmRequestPayload } from '../../core/llm-payloads.js';
import { Policy, type PolicyVerdict } from '../../pipeline/policy.js';
import { PolicyRules, type RuleMatch } from '../../policy/policy-rules.js';
import { SqlClassifier } from '../../protocols/postgres/sql-classifier.js';
import { buildGuards } from '../../server/protocol-listeners.js';
import { loadCliConfig } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

interface TestOptions {
  event?: string;
  connection?: string;
  user?: string;
  group: string[];
  sql?: string;
  prompt?: string;
  model?: string;
  tool: string[];
  explain?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function register(program: Command, setExitCode: SetExitCode): void {
  const policy = program.command('policy').description('policy rules: try them before relying on them');
  policy
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
    .option('--group <name>', 'a group of the acting identity (repeatable)', collect, [])
    .option('--sql <statement>', 'a statement on a postgres connection (a db.query)')
    .option('--prompt <text>', 'a prompt to a model connection (an llm.request)')
    .option('--model <name>', 'the model the prompt asks for (with --prompt)')
    .option('--tool <name>', 'a tool offered to the model (with --prompt, repeatable)', collect, [])
    .option('--explain', "show every rule's match")
    .option('--json', 'print JSON')
    .action(async (opts: TestOptions) => {
      const { config } = loadCliConfig(program.opts());
      const draft = await sampleAction(config, opts);
      const rules = new PolicyRules(config.policy);
      const guards = buildGuards(config);
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
  type: z.enum(['llm.request', 'db.query', 'ssh.exec', 'mcp.call', 'http.request']),
  connection: z.string().min(1),
  identity: z.object({
    subject: z.string().min(1),
    kind: z.enum(['user', 'service']).default('user'),
    groups: z.array(z.string()).default([]),
  }),
  payload: z.record(z.string(), z.json()).default({}),
});

async function sampleAction(config: VigilConfig, opts: TestOptions): Promise<EventDraft> {
  const inputs = [opts.event, opts.sql, opts.prompt].filter((i) => i !== undefined).length;
  if (inputs !== 1)
    throw new VigilError('usage', 'give one of --event FILE, --sql STATEMENT or --prompt TEXT');
  if (opts.event !== undefined) {
    if (opts.connection || opts.user || opts.group.length || opts.model || opts.tool.length)
      throw new VigilError('usage', '--event takes the connection, identity and payload from the file');
    return fromEventFile(config, opts.event);
  }
  if (!opts.connection) throw new VigilError('usage', '--connection is required with --sql and --prompt');
  if (!opts.user) throw new VigilError('usage', '--user is required with --sql and --prompt');
  const connection = findConnection(config, opts.connection);
  const identity = identityOf(config, opts.user, opts.group);
  if (opts.sql !== undefined) {
    if (connection.type !== 'postgres')
      throw new VigilError(
        'usage',
        `--sql needs a postgres connection; ${connection.name} is ${connection.type}`,
      );
    if (opts.model || opts.tool.length) throw new VigilError('usage', '--model and --tool go with --prompt');
    return draftOf('db.query', connection.name, identity, await queryPayload(opts.sql));
  }
  if (connection.type === 'postgres')
    throw new VigilError('usage', `--prompt needs a model connection; ${connection.name} is postgres`);
  const payload = promptPayload(connection.type, opts.prompt ?? '', opts.model ?? null, opts.tool);
  return draftOf('llm.request', connection.name, identity, payload);
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
  findConnection(config, event.connection);
  return withClassification(
    draftOf(event.type, event.connection, { ...event.identity }, event.payload as JsonObject),
  );
}

/** A db.query written by hand rarely carries the parser's classification: add it as the gateway would. */
async function withClassification(draft: EventDraft): Promise<EventDraft> {
  const statement = draft.payload.statement;
  if (
    draft.type !== 'db.query' ||
    draft.payload.classification !== undefined ||
    typeof statement !== 'string'
  )
    return draft;
  return { ...draft, payload: { ...draft.payload, ...(await queryPayload(statement)) } };
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

/** The payload the postgres adapter submits for a simple query, classified by the same parser. */
async function queryPayload(sql: string): Promise<JsonObject> {
  const classifier = await SqlClassifier.create(1);
  return {
    statement: sql,
    parameters: [],
    statement_name: null,
    portal: null,
    protocol: 'simple',
    classification: { statements: classifier.classify(sql) },
  };
}

/** A chat request as an OpenAI or Anthropic client would send it. */
function promptPayload(
  type: 'llm-openai' | 'llm-anthropic',
  prompt: string,
  model: string | null,
  tools: readonly string[],
): LlmRequestPayload {
  const anthropic = type === 'llm-anthropic';
  const body: JsonObject = { messages: [{ role: 'user', content: prompt }] };
  if (model !== null) body.model = model;
  if (tools.length > 0) {
    body.tools = tools.map(
      (name): JsonObject =>
        anthropic ? { name, input_schema: { type: 'object' } } : { type: 'function', function: { name } },
    );
  }
  return {
    requestId: 'policy-test',
    api: anthropic ? 'anthropic.messages' : 'openai.chat',
    method: 'POST',
    path: anthropic ? '/v1/messages' : '/v1/chat/completions',
    model,
    stream: false,
    n: 1,
    body,
    parent: null,
    trace: null,
  };
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
