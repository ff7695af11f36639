// Resources an answer hands the client without a read: a tool's result may hold an embedded
// resource (`{type: "resource", resource: {uri, text}}`, the resource's contents) or a link to one
// (`{type: "resource_link", uri}`), a prompt's messages the same, and a read's answer may hold the
// contents of other URIs than the one read (a directory's files). A search tool that returns the
// documents it found hands over a resource a read rule denies, contents and all, and until
// 7 December it reached the client that way (test/mcp/attacker-embedded-resources.test.ts). The
// read rules (`mcp.read`) judge each such URI as a read of it (read-judgement.ts); one a rule would
// deny or hold for review, or an embedded resource without a URI the rules can read, is left out
// of the answer (fail closed) and recorded with the answer as `withheld: [{uri, rule}]`. A tool's
// result is searched whole, `structuredContent` and `_meta` too (nested-resources.ts): until
// 7 December a block there passed (test/mcp/attacker-nested-resources.test.ts). Text that quotes a
// file names no resource Vigil can tell. The server's requests to the client and the client's
// answers to them are judged the same way (server-requests.ts).
import type { JsonObject } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { type KeepResource, withoutRefusedResources } from './nested-resources.js';
import { readRefusedBy } from './read-judgement.js';
import { uriReadings } from './uri-readings.js';

/** What the read rules do to one answer: decide it before the client has it, then say what was left out. */
export interface AnswerReads {
  readonly onAnswer: (answer: JsonRpcMessage) => Promise<JsonRpcMessage>;
  /** For the answer's record: what was withheld, each with the rule (empty when nothing was). */
  readonly withheld: () => JsonObject;
}

/** Per method: where the answer's resources are, and the answer with those a rule refuses left out. */
type Filter = (result: JsonObject, keep: (uri: string | null | undefined) => boolean) => JsonObject;

const FILTERS: Readonly<Record<string, Filter>> = {
  // Anywhere in the result: `content`, `structuredContent`, `_meta`, a field of a later revision.
  'tools/call': (result, keep) => withoutRefusedResources(result, keep),
  // Every entry of a read's answer is a resource's contents, with its own URI.
  'resources/read': (result, keep) =>
    Array.isArray(result.contents)
      ? {
          ...result,
          contents: result.contents.filter((c) =>
            keep(isObject(c) && typeof c.uri === 'string' ? c.uri : null),
          ),
        }
      : result,
  // A prompt's message holds one content block (or, from some servers, a list of them): a message
  // whose single block is refused is left out whole.
  'prompts/get': (result, keep) => withoutRefusedResources(result, keep),
};

/**
 * The read rules' part in the answer to `method`, or null for a method whose answer holds no
 * resource. `asked` is the URI a read asked for, judged (and perhaps reviewed) before it was
 * forwarded: its contents, under that URI or as a URL parser writes it, are what was allowed.
 */
export function embeddedReads(session: ModuleSession, method: string, asked?: string): AnswerReads | null {
  const filter = FILTERS[method];
  if (filter === undefined) return null;
  const { keep, withheld } = resourceReads(
    session,
    asked === undefined ? [] : [asked, ...uriReadings(asked)],
  );
  return {
    withheld,
    onAnswer: async (answer): Promise<JsonRpcMessage> => {
      if (answer.kind !== 'response') return answer;
      const result = filter(answer.result, (uri) => uri === undefined || keep(uri));
      return result === answer.result ? answer : { ...answer, result };
    },
  };
}

/** The read rules over the resources one message names: each judged as a read, the refused kept for its record. */
export interface ResourceReads {
  readonly keep: KeepResource;
  /** For the message's record: what was withheld, each with the rule (empty when nothing was). */
  readonly withheld: () => JsonObject;
}

/** `allowed`: URIs already judged (a read's own URI, and its readings), which pass. */
export function resourceReads(session: ModuleSession, allowed: readonly string[] = []): ResourceReads {
  const passes = new Set(allowed);
  const withheld: JsonObject[] = [];
  return {
    keep: (uri) => {
      if (uri !== null && passes.has(uri)) return true;
      const rule = uri === null ? 'protocol_violation' : readRefusedBy(session, [uri]);
      if (rule !== null) withheld.push({ uri, rule });
      return rule === null;
    },
    withheld: (): JsonObject => (withheld.length > 0 ? { withheld: [...withheld] } : {}),
  };
}
