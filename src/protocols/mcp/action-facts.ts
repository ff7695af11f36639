// How an MCP request reads to policy. A tool call: the tool is in `tools`, and the text a rule's
// `pattern` matches is `tool {canonical arguments}`, so a rule can look at argument values (a path
// outside a directory, a SQL write). A prompt fetched is `name {canonical arguments}`, a completion
// `prompt-name-or-resource-uri {canonical argument and context}`, a resource read its URI (with
// its readings as a URL parser and a file handler read it: uri-readings.ts), the
// client's answer to a server's request `answer {canonical result}`. Other
// readings are alternate texts: file paths resolved (argument-readings.ts); the JSON with
// whitespace and control characters written as themselves rather than escaped, since the tool reads
// `rm\t-rf` as a tab and a pattern's `\s` must too; and that text as a model reads it (hidden
// characters, look-alike letters, digits for letters: policy/text-readings.ts), for arguments a
// server hands on to a model or a person. Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { EventType, JsonObject, JsonValue } from '../../core/events.js';
import { modelReadings } from '../../policy/text-readings.js';
import { argumentReadings } from './argument-readings.js';
import { uriReadings } from './uri-readings.js';

export function describeMcpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  switch (type) {
    case 'mcp.call': {
      const tool = textOf(payload.tool);
      return tool === '' ? NO_FACTS : withArguments(tool, payload.arguments ?? {}, [tool]);
    }
    case 'mcp.prompt':
      return withArguments(textOf(payload.name), payload.arguments ?? {}, []);
    case 'mcp.completion': {
      const ref = isObject(payload.ref) ? payload.ref : {};
      const asked: JsonObject = { argument: payload.argument ?? null, context: payload.context ?? null };
      const name = textOf(ref.name);
      const uri = textOf(ref.uri);
      // The server reads the field its `type` names (a resource's `uri`, a prompt's `name`); a ref
      // carrying both is read by either too, so a `name` beside a denied `uri` does not hide it. A
      // resource template's URI is read as a read's URI is: `DEMO://{path}` is `demo://{path}` to
      // the server, and a rule written against the URI it serves must hold for each reading.
      const head = ref.type === 'ref/resource' ? uri : ref.type === 'ref/prompt' ? name : name || uri;
      const heads = [name, uri, ...(uri !== '' ? uriTexts(uri) : [])].filter((h) => h !== '' && h !== head);
      return withArguments(head, asked, [], heads);
    }
    case 'mcp.client_answer':
      // What the client sends back when the server asks (a completion, a form's fields, roots).
      return withArguments('answer', payload.result ?? payload.error ?? null, []);
    case 'mcp.read': {
      const uri = textOf(payload.uri);
      return facts(uri, uriTexts(uri), []);
    }
    default:
      return null;
  }
}

/** A resource URI's other readings: its file path resolved, and as a URL parser and a file handler read it. */
function uriTexts(uri: string): string[] {
  const readings = argumentReadings(uri).filter((r): r is string => typeof r === 'string');
  return [...readings, ...uriReadings(uri)];
}

/** `head {arguments}` with the arguments' readings, and each other reading of the head (`heads`) with them. */
function withArguments(
  head: string,
  args: JsonValue,
  tools: string[],
  heads: readonly string[] = [],
): ActionFacts {
  const argTexts = argumentReadings(args).map((a) => canonicalJson(a));
  const text = `${head} ${canonicalJson(args)}`;
  const readings = [
    ...argTexts.map((a) => `${head} ${a}`),
    ...heads.flatMap((h) => [`${h} ${canonicalJson(args)}`, ...argTexts.map((a) => `${h} ${a}`)]),
  ];
  return facts(text, readings, tools);
}

function facts(text: string, readings: readonly string[], tools: string[]): ActionFacts {
  const unescaped = controlsUnescaped(text);
  const alternates = new Set([...readings, unescaped, ...modelReadings([unescaped])]);
  alternates.delete(text);
  return { ...NO_FACTS, text, alternateTexts: [...alternates], tools };
}

const textOf = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
const isObject = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON escapes that JSON.stringify writes, the ones kept as they are being `\"` and `\\` (the text keeps its shape) and lone surrogates. */
const ESCAPE = /\\(?:[bfnrt"\\]|u[0-9a-f]{4})/g;
const CONTROL: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Canonical JSON with its escaped whitespace and control characters (`\n`, `\t`, `\u000b`) written as themselves. */
export function controlsUnescaped(json: string): string {
  if (!json.includes('\\')) return json;
  return json.replace(ESCAPE, (sequence) => {
    const letter = sequence[1]!;
    if (letter !== 'u') return CONTROL[letter] ?? sequence;
    const code = Number.parseInt(sequence.slice(2), 16);
    return code < 0x20 ? String.fromCharCode(code) : sequence;
  });
}
