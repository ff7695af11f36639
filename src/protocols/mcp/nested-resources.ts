// Resources named anywhere inside a message, not only in a tool result's `content`: a block of the
// 2025-11-25 content types (`{type: "resource", resource: {uri, …}}`, the resource's contents, or
// `{type: "resource_link", uri}`) may sit in `structuredContent`, in a sampling request's messages
// (one message's content, or the content of a `tool_result` inside it), in a client's answer, or in
// a `_meta`. Each is found wherever it is and judged by the caller (embedded-reads.ts); one refused
// takes with it the smallest entry of a list that holds it (the block in a content list, the message
// whose single content it is), or, held in no list, the message's top-level field that holds it.
// Fail closed: what is left out is whole, never a half-object that still quotes the resource.
import type { JsonObject, JsonValue } from '../../core/events.js';
import { isObject } from './jsonrpc.js';

/** Decides one named resource: true to keep it. `null` is a block whose URI cannot be read. */
export type KeepResource = (uri: string | null) => boolean;

/** The URI a content block names, undefined for a value that is no resource block, null for one whose URI cannot be read. */
function blockUri(block: JsonValue): string | null | undefined {
  if (!isObject(block)) return undefined;
  if (block.type === 'resource_link') return typeof block.uri === 'string' ? block.uri : null;
  if (block.type !== 'resource') return undefined;
  return isObject(block.resource) && typeof block.resource.uri === 'string' ? block.resource.uri : null;
}

const LEFT_OUT: unique symbol = Symbol('left out');
type Walked = JsonValue | typeof LEFT_OUT;

/**
 * `value` with every resource block `keep` refuses left out (see above). Returns `value` itself
 * when nothing was. The depth is bounded by the JSON reader (json-depth.ts), so the walk is too.
 */
export function withoutRefusedResources(value: JsonObject, keep: KeepResource): JsonObject {
  let changed = false;
  const out: [string, JsonValue][] = [];
  for (const [key, field] of Object.entries(value)) {
    const walked = walk(field, keep);
    if (walked !== field) changed = true;
    if (walked !== LEFT_OUT) out.push([key, walked]);
  }
  // fromEntries defines each key as an own property, `__proto__` included (an upstream may send one).
  return changed ? Object.fromEntries(out) : value;
}

function walk(value: JsonValue, keep: KeepResource): Walked {
  const uri = blockUri(value);
  // A block kept is not looked into: what it holds is that resource's own contents.
  if (uri !== undefined) return keep(uri) ? value : LEFT_OUT;
  if (Array.isArray(value)) {
    let changed = false;
    const out: JsonValue[] = [];
    for (const entry of value) {
      const walked = walk(entry, keep);
      if (walked !== entry) changed = true;
      if (walked !== LEFT_OUT) out.push(walked);
    }
    return changed ? out : value;
  }
  if (!isObject(value)) return value;
  let changed = false;
  const out: [string, JsonValue][] = [];
  for (const [key, field] of Object.entries(value)) {
    const walked = walk(field, keep);
    if (walked === LEFT_OUT) return LEFT_OUT;
    if (walked !== field) changed = true;
    out.push([key, walked]);
  }
  return changed ? Object.fromEntries(out) : value;
}
