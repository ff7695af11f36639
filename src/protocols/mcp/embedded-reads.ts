// Resources an answer hands the client without a read: a tool's result may hold an embedded
// resource (`{type: "resource", resource: {uri, text}}`, the resource's contents) or a link to one
// (`{type: "resource_link", uri}`), a prompt's messages the same, and a read's answer may hold the
// contents of other URIs than the one read (a directory's files). A search tool that returns the
// documents it found hands over a resource a read rule denies, contents and all, and until
// 7 December it reached the client that way (test/mcp/attacker-embedded-resources.test.ts). The
// read rules (`mcp.read`) judge each such URI as a read of it (read-judgement.ts); one a rule would
// deny or hold for review, or an embedded resource without a URI the rules can read, is left out
// of the answer (fail closed) and recorded with the answer as `withheld: [{uri, rule}]`. Text in
// other fields (`structuredContent`, a text block quoting a file) names no resource Vigil can tell.
import type { JsonObject, JsonValue } from '../../core/events.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { readRefusedBy } from './read-judgement.js';
import { uriReadings } from './uri-readings.js';

/** What the read rules do to one answer: decide it before the client has it, then say what was left out. */
export interface AnswerReads {
  readonly onAnswer: (answer: JsonRpcMessage) => Promise<JsonRpcMessage>;
  /** For the answer's record: what was withheld, each with the rule (empty when nothing was). */
  readonly withheld: () => JsonObject;
}

/** The URI a content block names, undefined for a block that names none, null for one whose URI cannot be read. */
function blockUri(block: JsonValue): string | null | undefined {
  if (!isObject(block)) return undefined;
  if (block.type === 'resource_link') return typeof block.uri === 'string' ? block.uri : null;
  if (block.type !== 'resource') return undefined;
  return isObject(block.resource) && typeof block.resource.uri === 'string' ? block.resource.uri : null;
}

/** Per method: where the answer's resources are, and the answer with those a rule refuses left out. */
type Filter = (result: JsonObject, keep: (uri: string | null | undefined) => boolean) => JsonObject;

const blocks =
  (field: string): Filter =>
  (result, keep) =>
    Array.isArray(result[field])
      ? { ...result, [field]: result[field].filter((b) => keep(blockUri(b))) }
      : result;

const FILTERS: Readonly<Record<string, Filter>> = {
  'tools/call': blocks('content'),
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
  // A prompt's message holds one content block (or, from some servers, a list of them).
  'prompts/get': (result, keep) =>
    Array.isArray(result.messages)
      ? {
          ...result,
          messages: result.messages.flatMap((message) => {
            if (!isObject(message)) return [message];
            const content = message.content;
            if (Array.isArray(content))
              return [{ ...message, content: content.filter((b) => keep(blockUri(b))) }];
            return keep(blockUri(content)) ? [message] : [];
          }),
        }
      : result,
};

/**
 * The read rules' part in the answer to `method`, or null for a method whose answer holds no
 * resource. `asked` is the URI a read asked for, judged (and perhaps reviewed) before it was
 * forwarded: its contents, under that URI or as a URL parser writes it, are what was allowed.
 */
export function embeddedReads(session: ModuleSession, method: string, asked?: string): AnswerReads | null {
  const filter = FILTERS[method];
  if (filter === undefined) return null;
  const allowed = new Set(asked === undefined ? [] : [asked, ...uriReadings(asked)]);
  const withheld: JsonObject[] = [];
  const keep = (uri: string | null | undefined): boolean => {
    if (uri === undefined || (uri !== null && allowed.has(uri))) return true;
    const rule = uri === null ? 'protocol_violation' : readRefusedBy(session, [uri]);
    if (rule !== null) withheld.push({ uri, rule });
    return rule === null;
  };
  return {
    withheld: (): JsonObject => (withheld.length > 0 ? { withheld } : {}),
    onAnswer: async (answer): Promise<JsonRpcMessage> => {
      if (answer.kind !== 'response') return answer;
      const result = filter(answer.result, keep);
      return withheld.length === 0 ? answer : { ...answer, result };
    },
  };
}
