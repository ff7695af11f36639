// A resource listing names resources: `resources/list` each resource's URI (with its name and
// description), `resources/templates/list` each template's, which makes URIs. Both reach the client
// like a read's answer, so the read rules (`mcp.read`) judge them too (read-judgement.ts). Fail
// closed: a listed resource whose URI a read rule would deny or hold for review is left out of the
// answer, and so is a template when a read of it as written or of its literal prefix would be
// (`secret://files/{name}` under a rule on `^secret://files/`: every URI it makes starts there;
// completion-reads.ts judges a template alike). An entry without a URI the rules can read is left
// out too. What is left out is recorded with the listing as `withheld: [{uri, rule}]`; the rest of
// the answer (`nextCursor`, `_meta`) goes on as served, so paging still works. Until 6 December a
// denied resource's URI, name and description reached the client in these listings
// (test/mcp/attacker-night-listings.test.ts).
import type { JsonObject, JsonValue } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { templateReadings } from './completion-reads.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { readRefusedBy } from './read-judgement.js';

/** Per listing method: the answer's array, the field of each entry that holds its URI, and the URIs a read rule judges. */
const LISTED: Readonly<
  Record<string, { list: string; field: string; readings: (uri: string) => readonly string[] }>
> = {
  'resources/list': { list: 'resources', field: 'uri', readings: (uri) => [uri] },
  'resources/templates/list': { list: 'resourceTemplates', field: 'uriTemplate', readings: templateReadings },
};

/** What the read rules do to one resource listing (dispatch.ts). */
export interface ListingReads {
  /** The answer as the client may see it: entries whose URI a read rule refuses left out. */
  readonly onAnswer: (answer: JsonRpcMessage) => Promise<JsonRpcMessage>;
  /** For the listing's record: the entries withheld, each with the rule (empty when none). */
  readonly withheld: () => JsonObject;
}

/** The read rules' part in a listing, or null for a listing that names no resource (prompts/list). */
export function listingReads(session: ModuleSession, method: string): ListingReads | null {
  const listed = LISTED[method];
  if (listed === undefined) return null;
  const withheld: JsonObject[] = [];
  return {
    withheld: (): JsonObject => (withheld.length > 0 ? { withheld } : {}),
    onAnswer: async (answer): Promise<JsonRpcMessage> => {
      if (answer.kind !== 'response') return answer;
      const entries = answer.result[listed.list];
      if (!Array.isArray(entries)) return answer;
      const kept: JsonValue[] = [];
      for (const entry of entries) {
        const uri = isObject(entry) ? entry[listed.field] : undefined;
        const rule =
          typeof uri === 'string' ? readRefusedBy(session, listed.readings(uri)) : 'protocol_violation';
        if (rule === null) kept.push(entry);
        else withheld.push({ uri: typeof uri === 'string' ? uri : null, rule });
      }
      if (withheld.length === 0) return answer;
      return { ...answer, result: { ...answer.result, [listed.list]: kept } };
    },
  };
}
