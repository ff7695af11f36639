// SQL guardrails for database connections. The adapter classifies each statement with the real
// PostgreSQL parser and puts the result in the db.query payload (classification.statements);
// this guard judges every entry and denies the whole string when one entry breaks a rule.
import type { EventDraft, JsonValue } from '../core/events.js';
import { ALLOW, type Guard, type PolicyDecision } from '../pipeline/policy.js';
import { READ_ONLY_KINDS } from './sql-kinds.js';

export interface SqlGuardrailsConfig {
  readonly deny_statements: readonly string[];
  readonly deny_unbounded_writes: boolean;
  readonly read_only: boolean;
  /** Group → statement kinds it may run ('*' for any). When set, an identity in none of these groups may run nothing. */
  readonly allow_by_group: Readonly<Record<string, readonly string[]>>;
}

interface StatementFacts {
  readonly kind: string;
  readonly hasWhere: boolean;
  readonly writes: boolean;
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
    return {
      kind: typeof o.kind === 'string' ? o.kind.toUpperCase() : 'UNKNOWN',
      hasWhere: o.hasWhere === true,
      // Missing facts count as the riskier answer.
      writes: o.writes !== false,
    };
  });
}

export class SqlGuardrails implements Guard {
  readonly #byConnection: ReadonlyMap<string, SqlGuardrailsConfig>;

  constructor(byConnection: ReadonlyMap<string, SqlGuardrailsConfig>) {
    this.#byConnection = byConnection;
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

function judge(s: StatementFacts, rules: SqlGuardrailsConfig, groups: readonly string[]): PolicyDecision {
  if (rules.deny_statements.some((k) => k.toUpperCase() === s.kind)) {
    return {
      action: 'deny',
      rule: `deny_statements:${s.kind}`,
      reason: `${s.kind} statements are not allowed on this connection`,
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
    if (!allowed.includes('*') && !allowed.includes(s.kind)) {
      return {
        action: 'deny',
        rule: 'allow_by_group',
        reason: `${s.kind} is not in the allow-list of your groups on this connection`,
      };
    }
  }
  return ALLOW;
}
