// A tool's pin: the SHA-256 of its canonical definition (name, title, description, input and output
// schema, annotations, and `_meta` when it has one), the parts a server can change to steer a model ("rug pull", tool poisoning),
// and a field-by-field diff between two definitions for the record and the admin.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/canonical-json.js';
import type { JsonObject, JsonValue } from '../../core/events.js';

const PINNED_FIELDS = ['name', 'title', 'description', 'inputSchema', 'outputSchema', 'annotations'] as const;
/**
 * Pinned too, but only when present, so a pin made before they were covered keeps its digest: a
 * tool's `_meta`, where clients find what they show and run beside the tool (the Apps SDK's
 * `openai/outputTemplate`, the widget a client renders for its results, and the status texts it
 * shows). A server that swaps it after approval changes what users see as much as a description.
 */
const PINNED_IF_PRESENT = ['_meta'] as const;
const COMPARED = [...PINNED_FIELDS, ...PINNED_IF_PRESENT] as const;

/** The fields a pin covers, absent ones as null (so adding a field changes the digest). */
export function toolDefinition(tool: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const field of PINNED_FIELDS) out[field] = tool[field] ?? null;
  for (const field of PINNED_IF_PRESENT)
    if (tool[field] !== undefined && tool[field] !== null) out[field] = tool[field];
  return out;
}

/**
 * The tool as a client may be shown it when the upstream now serves another definition: its pinned
 * fields as they were approved (absent ones left out), the rest as served. A changed description
 * is the poisoning itself, since the model reads it whether or not it calls the tool.
 */
export function asApproved(served: JsonObject, approved: JsonObject): JsonObject {
  const out: JsonObject = { ...served };
  for (const field of COMPARED) {
    const value = approved[field] ?? null;
    if (value === null) delete out[field];
    else out[field] = value;
  }
  return out;
}

export function toolDigest(definition: JsonObject): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

export interface FieldChange {
  readonly field: string;
  readonly before: JsonValue;
  readonly after: JsonValue;
}

/** The pinned fields that differ, each with both values (the ledger masks them like any payload). */
export function diffDefinitions(before: JsonObject | null, after: JsonObject): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of COMPARED) {
    const a = before?.[field] ?? null;
    const b = after[field] ?? null;
    if (canonicalJson(a) !== canonicalJson(b)) changes.push({ field, before: a, after: b });
  }
  return changes;
}
