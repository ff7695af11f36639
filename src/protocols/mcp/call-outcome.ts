// What a tool call's refusal says when its tool has no approved pin, and what its answer records.
import type { JsonObject } from '../../core/events.js';
import { fieldsBeyond } from './answer-fields.js';
import type { JsonRpcMessage } from './jsonrpc.js';
import type { PinStatus } from './pin-store.js';

/**
 * Why a call to a tool without an approved pin is refused. A tool the upstream does not list even
 * when Vigil asks is refused too: a server may run a tool it never lists, or resolve a name more
 * loosely than Vigil compares it (`Delete_File`, `delete_file `), and such a call would reach it
 * with no pin to check and past a deny pattern written for the listed name.
 */
export function unpinnedReason(tool: string, status: Exclude<PinStatus, 'pinned'>): string {
  switch (status) {
    case 'changed':
      return `tool ${tool} changed since it was pinned; an admin must approve it (vigil mcp approve-tool)`;
    case 'unapproved':
      return `tool ${tool} is new and held until an admin approves it (vigil mcp approve-tool)`;
    case 'unknown':
      return `tool ${tool} is not in the upstream's tool listing, so it cannot be checked against a pin`;
  }
}

export function callOutcome(answer: JsonRpcMessage): JsonObject {
  if (answer.kind === 'error') return { isError: true, error: answer.error };
  if (answer.kind !== 'response') return {};
  const r = answer.result;
  const other = fieldsBeyond(r, (key, value) =>
    key === 'content'
      ? Array.isArray(value)
      : key === 'isError'
        ? typeof value === 'boolean'
        : key === 'structuredContent',
  );
  return {
    isError: r.isError === true,
    content: Array.isArray(r.content) ? r.content : [],
    ...(r.structuredContent !== undefined ? { structuredContent: r.structuredContent } : {}),
    ...(other !== null ? { other_fields: other } : {}),
  };
}
