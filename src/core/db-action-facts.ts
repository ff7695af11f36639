// How a db.query reads to policy: the statement text, and the kinds and tables the parser found in
// `classification.statements` (a set_config() counts as a SET too: statement-kinds.ts). Payloads
// are read defensively: anything malformed is absent.

import { type ActionFacts, NO_FACTS } from './actions.js';
import type { JsonObject } from './events.js';
import { asJsonArray, isJsonObject } from './json-read.js';
import { policyKindsOf } from './statement-kinds.js';

export function describeQuery(payload: JsonObject): ActionFacts {
  const classification = payload.classification;
  const statements = isJsonObject(classification) ? asJsonArray(classification.statements) : [];
  const kinds = new Set<string>();
  const tables = new Set<string>();
  for (const statement of statements) {
    if (!isJsonObject(statement)) continue;
    if (typeof statement.kind === 'string')
      for (const kind of policyKindsOf({ kind: statement.kind, settings: asJsonArray(statement.settings) }))
        kinds.add(kind);
    for (const table of asJsonArray(statement.tables)) if (typeof table === 'string') tables.add(table);
  }
  return {
    ...NO_FACTS,
    text: typeof payload.statement === 'string' ? payload.statement : '',
    statementKinds: [...kinds],
    tables: [...tables],
  };
}
