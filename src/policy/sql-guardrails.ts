// SQL guardrails for database connections. The adapter classifies each statement with the real
// PostgreSQL parser and puts the result in the db.query payload (classification.statements);
// this guard judges every entry and denies the whole string when one entry breaks a rule.
import type { EventDraft, JsonValue } from '../core/events.js';
import { policyKindsOf } from '../core/statement-kinds.js';
import { ALLOW, type Guard, type PolicyDecision } from '../pipeline/policy.js';
import { READ_ONLY_KINDS, type StatementFlag } from './sql-kinds.js';
import { type PresetRules, presetRules, type SqlGuardrailPreset } from './sql-presets.js';

export interface SqlGuardrailsConfig {
  readonly deny_statements: readonly string[];
  readonly deny_unbounded_writes: boolean;
  readonly read_only: boolean;
  /** Group → statement kinds it may run ('*' for any). When set, an identity in none of these groups may run nothing. */
  readonly allow_by_group: Readonly<Record<string, readonly string[]>>;
  /** A named set of denials (sql-presets.ts) the fields above add to; none by default. */
  readonly preset?: SqlGuardrailPreset | undefined;
  /** Lifts the preset's denial of CALL (and nothing else). */
  readonly allow_call?: boolean | undefined;
}

interface StatementFacts {
  readonly kind: string;
  /** Its kind, and SET where it sets a setting by other means (set_config(): core/statement-kinds.ts). */
  readonly kinds: readonly string[];
  readonly hasWhere: boolean;
  readonly writes: boolean;
  /** null when the entry carries no flags list: a preset then cannot tell what it does. */
  readonly flags: readonly string[] | null;
}

interface ConnectionRules {
  readonly config: SqlGuardrailsConfig;
  readonly preset: PresetRules | null;
}

/** Kinds a read-only connection allows; COPY passes by kind and is then judged by its direction (writes). */
const READ_KINDS = new Set<string>([...READ_ONLY_KINDS, 'COPY']);

function statementsOf(payload: Readonly<Record<string, JsonValue>>): StatementFacts[] | null {
  const classification = payload.classification;
  if (classification === null || typeof classification !== 'object' || Array.isArray(classification))
    return null;
  const statements = classification.statements;
  if (!Array.isArray(statements)) return null;
  return statements.map((s) => {
    const o = s !== null && typeof s === 'object' && !Array.isArray(s) ? s : {};
    const kind = typeof o.kind === 'string' ? o.kind.toUpperCase() : 'UNKNOWN';
    return {
      kind,
      kinds: policyKindsOf({ kind, settings: Array.isArray(o.settings) ? o.settings : [] }),
      hasWhere: o.hasWhere === true,
      // Missing facts count as the riskier answer.
      writes: o.writes !== false,
      flags: Array.isArray(o.flags) ? o.flags.filter((f): f is string => typeof f === 'string') : null,
    };
  });
}

export class SqlGuardrails implements Guard {
  readonly #byConnection: ReadonlyMap<string, ConnectionRules>;

  constructor(byConnection: ReadonlyMap<string, SqlGuardrailsConfig>) {
    this.#byConnection = new Map(
      [...byConnection].map(([name, config]) => [
        name,
        {
          config,
          preset: config.preset
            ? presetRules(config.preset, { allowCall: config.allow_call === true })
            : null,
        },
      ]),
    );
  }

  evaluate(draft: EventDraft): PolicyDecision {
    if (draft.type !== 'db.query') return ALLOW;
    const rules = this.#byConnection.get(draft.connection);
    if (!rules) return ALLOW;
    const statements = statementsOf(draft.payload);
    if (statements === null) {
      return { action: 'deny', rule: 'sql_unclassified', reason: 'the statement carries no classification' };
    }
    for (const [i, s] of statements.entries()) {
      const decision = judge(s, rules, draft.identity.groups);
      if (decision.action === 'deny') {
        const where = statements.length > 1 ? ` (statement ${i + 1} of ${statements.length})` : '';
        return { ...decision, reason: decision.reason + where };
      }
    }
    return ALLOW;
  }
}

/** The connection's explicit settings first (so their familiar rule names show), then its preset. */
function judge(s: StatementFacts, rules: ConnectionRules, groups: readonly string[]): PolicyDecision {
  const explicit = judgeExplicit(s, rules.config, groups);
  if (explicit.action === 'deny' || !rules.preset) return explicit;
  return judgePreset(s, rules.preset);
}

const strictDenial = (rule: string, reason: string): PolicyDecision => ({
  action: 'deny',
  rule: `strict:${rule}`,
  reason,
});

const FLAG_REASONS: Readonly<Record<StatementFlag, string>> = {
  do_block: 'DO blocks run code the gateway cannot read',
  procedural_function:
    'functions and procedures in languages other than sql run code the gateway cannot read',
  call: 'CALL runs a procedure whose body the statement does not show',
  copy_program: 'COPY ... PROGRAM runs a command on the database server',
  copy_server_file: 'COPY to or from a server file reaches outside the database',
  alter_system: 'ALTER SYSTEM changes the server configuration',
  set_role: 'changing the role is not allowed',
  set_session_authorization: 'changing the session user is not allowed',
  dynamic_setting: 'set_config with a computed setting name cannot be judged',
  server_file_access: 'server file functions reach outside the database',
  large_object: 'large-object functions are not allowed',
  terminate_backend: 'signalling other sessions is not allowed',
  dblink: 'dblink reaches other databases',
  create_extension: 'installing extensions is not allowed',
  foreign_data: 'foreign servers and tables reach outside the database',
  load_library: 'LOAD puts a library into the server process',
};

function judgePreset(s: StatementFacts, preset: PresetRules): PolicyDecision {
  if (preset.denyUnparsed && s.kind === 'UNKNOWN') {
    return strictDenial('unparsed', 'the statement does not parse, so it cannot be judged');
  }
  if (preset.denyKinds.includes(s.kind)) {
    return strictDenial(s.kind.toLowerCase(), `${s.kind} statements are not allowed on this connection`);
  }
  if (preset.denyUnboundedWrites && (s.kind === 'DELETE' || s.kind === 'UPDATE') && !s.hasWhere) {
    return strictDenial(
      'unbounded_write',
      `${s.kind} without a WHERE clause on a column is not allowed on this connection`,
    );
  }
  if (s.flags === null) return strictDenial('unclassified', 'the statement carries no flags to judge');
  const flag = preset.denyFlags.find((f) => s.flags?.includes(f));
  if (flag) return strictDenial(flag, `${FLAG_REASONS[flag]} on this connection`);
  return ALLOW;
}

function judgeExplicit(
  s: StatementFacts,
  rules: SqlGuardrailsConfig,
  groups: readonly string[],
): PolicyDecision {
  const denied = s.kinds.find((kind) => rules.deny_statements.some((k) => k.toUpperCase() === kind));
  if (denied !== undefined) {
    return {
      action: 'deny',
      rule: `deny_statements:${denied}`,
      reason:
        denied === s.kind
          ? `${s.kind} statements are not allowed on this connection`
          : `${denied} statements are not allowed on this connection (this ${s.kind} changes a setting)`,
    };
  }
  if (rules.deny_unbounded_writes && (s.kind === 'DELETE' || s.kind === 'UPDATE') && !s.hasWhere) {
    return {
      action: 'deny',
      rule: 'deny_unbounded_writes',
      reason: `${s.kind} without a WHERE clause is not allowed on this connection`,
    };
  }
  if (rules.read_only && (s.writes || !READ_KINDS.has(s.kind))) {
    return {
      action: 'deny',
      rule: 'read_only',
      reason: `this connection is read-only; ${s.kind} may change data`,
    };
  }
  const groupRules = Object.entries(rules.allow_by_group);
  if (groupRules.length > 0) {
    const allowed = groupRules
      .filter(([group]) => groups.includes(group))
      .flatMap(([, kinds]) => kinds.map((k) => k.toUpperCase()));
    const missing = s.kinds.find((kind) => !allowed.includes(kind));
    if (!allowed.includes('*') && missing !== undefined) {
      return {
        action: 'deny',
        rule: 'allow_by_group',
        reason:
          missing === s.kind
            ? `${s.kind} is not in the allow-list of your groups on this connection`
            : `${missing} is not in the allow-list of your groups on this connection (this ${s.kind} changes a setting)`,
      };
    }
  }
  return ALLOW;
}
