// SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's writable document, which the caller then reads
// back exactly like a PUT body (so a PATCH can produce nothing a PUT could not). Accepts what the
// big providers send: `op` in any case ("Replace", "Add"), a `value` object without a `path` (each
// key a path, "name.givenName" included), "True"/"False" strings, and `members[value eq "id"]`
// paths for removal, as well as Entra's `remove` of `members` with the ids in `value`.
import type { JsonObject, JsonValue } from '../core/events.js';
import { type Filter, invalidFilter, parseAttrPath, parseFilter } from './filter.js';
import { matchesFilter } from './filter-match.js';
import { READ_ONLY, type ResourceShape, SCHEMA, scimInvalid } from './scim-schema.js';

export const MAX_PATCH_OPERATIONS = 1000;

interface PatchPath {
  readonly attr: string;
  readonly sub: string | null;
  readonly filter: Filter | null;
}

type Op = 'add' | 'replace' | 'remove';

const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `attr`, `attr.sub`, `urn:...:attr`, `attr[filter]`, `attr[filter].sub`. */
export function parsePatchPath(text: string): PatchPath {
  try {
    const open = text.indexOf('[');
    if (open < 0) return { ...parseAttrPath(text), filter: null };
    const close = text.lastIndexOf(']');
    if (close < open) throw invalidFilter('"[" without "]"');
    const base = parseAttrPath(text.slice(0, open));
    if (base.sub !== null) throw invalidFilter('a value filter follows an attribute');
    const after = text.slice(close + 1);
    if (after !== '' && !/^\.[A-Za-z][A-Za-z0-9_$-]*$/.test(after)) throw invalidFilter('bad sub-attribute');
    return {
      attr: base.attr,
      sub: after === '' ? null : after.slice(1).toLowerCase(),
      filter: parseFilter(text.slice(open + 1, close)),
    };
  } catch {
    throw scimInvalid('invalidPath', 'the PATCH path is not a valid attribute path');
  }
}

function canonicalName(shape: ResourceShape, attr: string, path: string): string {
  if (READ_ONLY.has(attr)) throw scimInvalid('mutability', `"${attr}" cannot be changed`);
  // The enterprise extension is kept as one object; a path into it names its attribute after the URN.
  const name = shape.attributes.get(attr);
  if (name === undefined)
    throw scimInvalid('invalidPath', `"${path.slice(0, 64)}" is not an attribute of a ${shape.kind}`);
  return name;
}

function subKey(obj: JsonObject, sub: string): string {
  return Object.keys(obj).find((k) => k.toLowerCase() === sub) ?? sub;
}

/** Applies one operation; `doc` is mutated. */
function applyAt(
  doc: JsonObject,
  shape: ResourceShape,
  op: Op,
  rawPath: string,
  value: JsonValue | undefined,
): void {
  const enterprise = SCHEMA.enterpriseUser.toLowerCase();
  if (shape.kind === 'User' && rawPath.toLowerCase().startsWith(`${enterprise}:`)) {
    // urn:...:enterprise:2.0:User:manager.value and friends live inside the extension object.
    const inner = rawPath.slice(enterprise.length + 1);
    const ext = isObject(doc[SCHEMA.enterpriseUser]) ? { ...(doc[SCHEMA.enterpriseUser] as JsonObject) } : {};
    applyInner(ext, op, parsePatchPath(inner), value, inner);
    doc[SCHEMA.enterpriseUser] = ext;
    return;
  }
  const path = parsePatchPath(rawPath);
  const name = canonicalName(shape, path.attr, rawPath);
  applyInner(doc, op, { ...path, attr: name }, value, rawPath);
}

function applyInner(
  doc: JsonObject,
  op: Op,
  path: PatchPath,
  value: JsonValue | undefined,
  raw: string,
): void {
  const key = subKey(doc, path.attr.toLowerCase());
  const current = doc[key];
  if (path.filter !== null) {
    applyFiltered(doc, key, op, path, value);
    return;
  }
  if (path.sub !== null) {
    if (op === 'remove') {
      if (isObject(current)) delete current[subKey(current, path.sub)];
      return;
    }
    const target = isObject(current) ? { ...current } : {};
    target[subKey(target, path.sub)] = value ?? null;
    doc[key] = target;
    return;
  }
  if (op === 'remove') {
    // Entra removes members by listing them in `value` rather than with a filter.
    if (Array.isArray(current) && Array.isArray(value)) {
      const drop = new Set(
        value.flatMap((v) => (isObject(v) && typeof v.value === 'string' ? [v.value] : [])),
      );
      doc[key] = current.filter(
        (item) => !(isObject(item) && typeof item.value === 'string' && drop.has(item.value)),
      );
    } else {
      delete doc[key];
    }
    return;
  }
  if (value === undefined)
    throw scimInvalid('invalidValue', `"${op}" of "${raw.slice(0, 64)}" needs a value`);
  if (op === 'add' && Array.isArray(current)) {
    const added = Array.isArray(value) ? value : [value];
    const seen = new Set(
      current.flatMap((v) => (isObject(v) && typeof v.value === 'string' ? [v.value] : [])),
    );
    doc[key] = [
      ...current,
      ...added.filter((v) => !(isObject(v) && typeof v.value === 'string' && seen.has(v.value))),
    ];
  } else if (op === 'add' && isObject(current) && isObject(value)) {
    doc[key] = { ...current, ...value };
  } else {
    doc[key] = value;
  }
}

function applyFiltered(
  doc: JsonObject,
  key: string,
  op: Op,
  path: PatchPath,
  value: JsonValue | undefined,
): void {
  const current = Array.isArray(doc[key]) ? (doc[key] as JsonValue[]) : [];
  const hits = (item: JsonValue) => isObject(item) && matchesFilter(item, path.filter!);
  if (op === 'remove') {
    doc[key] =
      path.sub === null
        ? current.filter((item) => !hits(item))
        : current.map((item) => {
            if (!hits(item)) return item;
            const copy = { ...(item as JsonObject) };
            delete copy[subKey(copy, path.sub!)];
            return copy;
          });
    return;
  }
  if (value === undefined) throw scimInvalid('invalidValue', `"${op}" needs a value`);
  if (!current.some(hits)) {
    // Entra adds `emails[type eq "work"].value` to a user that has no work e-mail yet: the filter's
    // equality names the new item.
    const f = path.filter!;
    if (op === 'add' && f.op === 'eq' && f.path.sub === null && path.sub !== null) {
      doc[key] = [...current, { [f.path.attr]: f.value, [path.sub]: value }];
      return;
    }
    throw scimInvalid('noTarget', 'the PATCH filter matches no value');
  }
  doc[key] = current.map((item) => {
    if (!hits(item)) return item;
    if (path.sub !== null) return { ...(item as JsonObject), [subKey(item as JsonObject, path.sub)]: value };
    return isObject(value) ? { ...(item as JsonObject), ...value } : value;
  });
}

/** The operations of a PatchOp body, checked for shape before any is applied. */
function readOperations(body: JsonObject): { op: Op; path: string | null; value: JsonValue | undefined }[] {
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SCHEMA.patchOp))
    throw scimInvalid('invalidSyntax', `"schemas" must include ${SCHEMA.patchOp}`);
  const ops = body.Operations ?? body.operations;
  if (!Array.isArray(ops) || ops.length === 0)
    throw scimInvalid('invalidSyntax', '"Operations" must be a non-empty array');
  if (ops.length > MAX_PATCH_OPERATIONS)
    throw scimInvalid('tooMany', `at most ${MAX_PATCH_OPERATIONS} operations per PATCH`);
  return ops.map((raw) => {
    if (!isObject(raw)) throw scimInvalid('invalidSyntax', 'each operation must be an object');
    const op = typeof raw.op === 'string' ? raw.op.toLowerCase() : '';
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw scimInvalid('invalidSyntax', '"op" must be add, replace or remove');
    if (raw.path !== undefined && (typeof raw.path !== 'string' || raw.path === ''))
      throw scimInvalid('invalidPath', '"path" must be a non-empty string');
    return { op, path: (raw.path as string | undefined) ?? null, value: raw.value };
  });
}

/** Applies a PatchOp body to a copy of the document of resource `id`; throws scim_invalid with the RFC's scimType. */
export function applyPatch(doc: JsonObject, shape: ResourceShape, body: JsonObject, id: string): JsonObject {
  const out = structuredClone(doc);
  for (const { op, path, value } of readOperations(body)) {
    if (path !== null) {
      applyAt(out, shape, op, path, value);
      continue;
    }
    if (op === 'remove') throw scimInvalid('noTarget', '"remove" needs a "path"');
    if (!isObject(value)) throw scimInvalid('invalidValue', `"${op}" without a path needs an object value`);
    for (const [key, v] of Object.entries(value)) {
      // Okta renames a group with {op: replace, value: {id, displayName}}: its own id is no change.
      if (key.toLowerCase() === 'id' && v === id) continue;
      applyAt(out, shape, op, key, v);
    }
  }
  return out;
}
