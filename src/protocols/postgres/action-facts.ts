// How a db.query reads to policy: the statement text, and the kinds and tables the parser found in
// `classification.statements`. Payloads are read defensively: anything malformed is absent.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import type { JsonObject, JsonValue } from '../../core/events.js';

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: JsonValue | undefined): readonly JsonValue[] {
  return Array.isArray(value) ? value : [];
}

export function describeQuery(payload: JsonObject): ActionFacts {
  const classification = payload.classification;
  const statements = isObject(classification) ? asArray(classification.statements) : [];
  const kinds = new Set<string>();
  const tables = new Set<string>();
  for (const statement of statements) {
    if (!isObject(statement)) continue;
    if (typeof statement.kind === 'string') kinds.add(statement.kind.toUpperCase());
    for (const table of asArray(statement.tables)) if (typeof table === 'string') tables.add(table);
  }
  return {
    ...NO_FACTS,
    text: typeof payload.statement === 'string' ? payload.statement : '',
    statementKinds: [...kinds],
    tables: [...tables],
  };
}
