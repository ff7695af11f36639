// Structure-aware masking of payloads: values under secret-named keys at any depth (JSON bodies,
// parsed forms, headers), and the two database payload shapes of core/db-payloads.ts: in db.query,
// literals and bind parameters bound to secret-named columns (sql-columns.ts); in db.result, the
// cells of secret-named columns; and the SSH shapes (ssh.exec and ssh.command `command`, ssh.input
// `data`): shell command lines, whose secret options and variables (shell-line.ts: mysql -p…,
// curl -u user:…, --password …, PGPASSWORD=…) are masked whole; and ssh.output chunks, whose frames
// are read as one text for those options (a line's echo arrives a key per frame). Everything else
// goes through the text rules.
import type { NamedStatementText } from '../core/db-payloads.js';
import type { JsonObject, JsonValue } from '../core/events.js';
import { setOwn } from '../core/own-property.js';
import { embeddedFieldSpans, fieldSecret } from './embedded-fields.js';
import { mayBeOptionArray, secretOptionSpans } from './option-arrays.js';
import type { SecretNameMatcher } from './secret-names.js';
import { argvProgram, argvSecrets, argvWords, isArgvKey } from './shell-argv.js';
import { clipSpansToCode, shellCodeBreaks } from './shell-code-clip.js';
import { isShellKey } from './shell-keys.js';
import { shellSecretSpans } from './shell-line.js';
import { addDisjoint } from './span-overlap.js';
import { type CodeSpan, sqlCodeSpans } from './sql-code-clip.js';
import { type SqlBindings, type SqlValueSpan, secretBindings } from './sql-columns.js';
import { executeArgumentSpans } from './sql-execute.js';
import { isUnlistedColumn } from './sql-insert.js';
import type { SqlReading } from './sql-tokens.js';

export interface StructuredSpan {
  readonly start: number;
  readonly end: number;
  readonly ruleId: string;
  readonly detail?: string;
}

/** What the walk needs of a compiled rule set. */
export interface SpanRenderer {
  mask(text: string): string;
  maskUnder(key: string, value: string): string;
  maskKey(key: string): string;
  whole(value: string, ruleId: string): string;
  maskSpans(text: string, spans: readonly StructuredSpan[], code?: () => readonly CodeSpan[]): string;
  /** Masks an opaque blob of the provider's (opaqueField): every rule but the token-run detectors. */
  maskOpaque(value: string): string;
}

/** Base64 or base64url text, with its padding. */
const BASE64_TEXT = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * The member of a model provider's object that holds opaque data the provider made: a thinking
 * block's `signature` and a redacted one's `data`, a web search result's `encrypted_content` and a
 * citation's `encrypted_index` (Anthropic), a reasoning or compaction item's `encrypted_content`
 * (OpenAI), a Gemini thought signature, which the provider reads again when a later turn sends them
 * back; and an
 * embedding's vector as base64 floats (what the openai SDK asks for by default). They are random by
 * construction, so the token-run detectors took each for key material; masked toward the client
 * (`mask_responses`), the provider refused the next turn, and an SDK decoded the replacement into a
 * wrong vector without a word. Null for any other object.
 */
function opaqueField(value: JsonObject): string | null {
  if (value.object === 'embedding') return 'embedding';
  // Gemini's thought signatures: `extra_content.google.thought_signature` on the tool calls of its
  // OpenAI-compatible endpoint, `thoughtSignature` on the parts of its own API.
  if (typeof value.thought_signature === 'string') return 'thought_signature';
  if (typeof value.thoughtSignature === 'string') return 'thoughtSignature';
  switch (value.type) {
    case 'thinking':
    case 'signature_delta':
      return 'signature';
    case 'redacted_thinking':
      return 'data';
    case 'reasoning':
    case 'compaction':
    case 'web_search_result':
      return 'encrypted_content';
    case 'web_search_result_location':
      return 'encrypted_index';
    default:
      return null;
  }
}

export function walkPayload(
  payload: JsonValue,
  set: SpanRenderer,
  secretName: SecretNameMatcher,
  sqlReading: SqlReading | 'both' = 'both',
  /** The reading of a statement's bound values: the masker passes its shape cache (sql-shape-cache.ts). */
  readBindings: (sql: string) => SqlBindings = (sql) => secretBindings(sql, secretName, sqlReading),
): JsonValue {
  return new PayloadWalk(set, secretName, sqlReading, readBindings).walk(payload, null);
}

/**
 * One payload's walk. Methods rather than closures made per call: a payload is walked per event
 * (every database row of a result), and building five closures each time showed in the profile.
 */
class PayloadWalk {
  constructor(
    private readonly set: SpanRenderer,
    private readonly secretName: SecretNameMatcher,
    private readonly sqlReading: SqlReading | 'both',
    private readonly readBindings: (sql: string) => SqlBindings,
  ) {}

  walk(value: JsonValue, key: string | null): JsonValue {
    const { set, secretName } = this;
    if (typeof value === 'string') {
      if (key !== null && secretName(key) && fieldSecret(key, value)) return set.whole(value, 'secret-field');
      // An agent's shell tool (an MCP tool's or a model's tool-use input) takes a command line.
      if (key !== null && isShellKey(key)) return this.commandLine(value);
      // A document inside the string (tool arguments, a body kept as text, a .env file's lines).
      const fields = embeddedFieldSpans(value, secretName);
      if (fields.length > 0)
        return set.maskSpans(
          value,
          fields.map((f) => ({
            start: f.start,
            end: f.end,
            ruleId: 'secret-field',
            detail: `field ${f.name}`,
          })),
        );
      return key !== null ? set.maskUnder(key, value) : set.mask(value);
    }
    if (typeof value === 'number' && key !== null && secretName(key)) {
      return set.whole(String(value), 'secret-field');
    }
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value))
      return key !== null && isArgvKey(key)
        ? this.argv(value, key, argvProgram({}, key))
        : value.map((v) => this.walk(v, key));
    if (isDbQuery(value)) return this.dbQuery(value);
    if (isDbResult(value)) return this.dbResult(value);
    if (isShellPayload(value)) return this.shellPayload(value);
    if (isTerminalOutput(value)) return this.terminalOutput(value);
    const opaque = opaqueField(value);
    const pairName = pairedName(value, secretName);
    const out: JsonObject = {};
    for (const k of Object.keys(value)) {
      const v = value[k]!;
      setOwn(
        out,
        set.maskKey(k),
        k === opaque && typeof v === 'string' && BASE64_TEXT.test(v)
          ? set.maskOpaque(v)
          : k === 'blob' && typeof v === 'string'
            ? this.blob(v)
            : k === 'value' && pairName !== null
              ? this.walk(v, pairName)
              : Array.isArray(v) && isArgvKey(k)
                ? this.argv(v, k, argvProgram(value, k))
                : this.walk(v, k),
      );
    }
    return out;
  }

  /**
   * An MCP resource's `blob` (base64): a file read as bytes, often text a server could not type (a
   * `.env`, a key file). Text is masked as text and encoded again; before, only a blob long enough
   * to look like key material was masked (whole), and a short one holding `API_TOKEN=…` was kept.
   */
  private blob(value: string): JsonValue {
    const text = BASE64_TEXT.test(value) ? base64Text(value) : null;
    if (text !== null) {
      const masked = this.walk(text, null);
      if (masked !== text) return Buffer.from(String(masked), 'utf8').toString('base64');
    }
    return this.walk(value, 'blob');
  }

  private dbQuery(value: JsonObject): JsonObject {
    const { set, secretName } = this;
    const statement = value.statement as string;
    const bindings = this.readBindings(statement);
    const named = namedStatements(value.named_statements);
    const out: JsonObject = {};
    for (const k of Object.keys(value)) {
      const v = value[k]!;
      if (k === 'statement') {
        const executed = executeArgumentSpans(statement, named, secretName);
        out[k] = set.maskSpans(statement, columnSpans([...bindings.literals, ...executed]), () =>
          sqlCodeSpans(statement, this.sqlReading),
        );
      } else if (k === 'named_statements' && named.length > 0) {
        // Each text behind a name is a statement too: its literals bound to secret columns masked.
        out[k] = named.map((n) => {
          const literals = this.readBindings(n.statement).literals;
          return {
            name: this.walk(n.name, null),
            statement: set.maskSpans(n.statement, columnSpans(literals), () =>
              sqlCodeSpans(n.statement, this.sqlReading),
            ),
          };
        });
      } else if (k === 'parameters') {
        out[k] = (v as JsonValue[]).map((p, i) => {
          const column = bindings.params.get(i + 1);
          return column !== undefined &&
            (typeof p === 'string' || (typeof p === 'number' && !isUnlistedColumn(column)))
            ? set.whole(String(p), 'secret-column')
            : this.walk(p, null);
        });
      } else setOwn(out, set.maskKey(k), this.walk(v, k));
    }
    return out;
  }

  private dbResult(value: JsonObject): JsonObject {
    const { set, secretName } = this;
    const columns = value.columns as string[];
    const secret = columns.map((c) => secretName(c));
    const out: JsonObject = {};
    for (const k of Object.keys(value)) {
      const v = value[k]!;
      if (k === 'rows') {
        // Cells read under the key `rows` when no column is secret, as the walk always read them
        // then (maskUnder keeps its cache of clean short values).
        const under = secret.some(Boolean) ? null : k;
        out[k] = (v as JsonValue[]).map((row) =>
          Array.isArray(row)
            ? row.map((cell, i) =>
                secret[i] && cell !== null && (typeof cell === 'string' || typeof cell === 'number')
                  ? set.whole(String(cell), 'secret-column')
                  : secret[i] && isDigestCell(cell)
                    ? { ...cell, sha256: set.whole(cell.sha256, 'secret-column') }
                    : typeof cell === 'string' && mayBeOptionArray(cell)
                      ? this.optionArray(cell)
                      : this.walk(cell, under),
              )
            : this.walk(row, under),
        );
      } else setOwn(out, set.maskKey(k), this.walk(v, k === 'columns' ? null : k));
    }
    return out;
  }

  /** A `{name=value,…}` cell (option-arrays.ts): secret-named values whole, the rules elsewhere. */
  private optionArray(cell: string): string {
    const spans = secretOptionSpans(cell, this.secretName).map((o) => ({
      start: o.start,
      end: o.end,
      ruleId: 'secret-field',
    }));
    return this.set.maskSpans(cell, spans);
  }

  private shellPayload(value: JsonObject): JsonObject {
    const { set } = this;
    const out: JsonObject = {};
    for (const k of Object.keys(value)) {
      const v = value[k]!;
      // Typed keys (ssh.input `data`) are keystrokes, not a command's text: no code is cut out.
      // The keys as typed and a continued line hold the same command as `command` (ssh line-guard.ts).
      if ((k === 'command' || k === 'keystrokes' || k === 'line') && typeof v === 'string')
        out[k] = this.commandLine(v);
      else if (k === 'data' && typeof v === 'string') out[k] = set.maskSpans(v, this.shellSpans(v));
      else setOwn(out, set.maskKey(k), this.walk(v, k));
    }
    return out;
  }

  private shellSpans(line: string): StructuredSpan[] {
    return shellSecretSpans(line, this.secretName).map((s) => ({
      start: s.start,
      end: s.end,
      ruleId: 'shell-secret',
    }));
  }

  /**
   * A command's words (shell-argv.ts): read as one command, after the program its object names
   * (`args` after `command`). An element without a secret there is walked as before.
   */
  private argv(list: JsonValue[], key: string, program: readonly string[]): JsonValue[] {
    // Members other than strings are words too (`["mysql", 3306, "-p…"]`: argvWords).
    const found = argvSecrets([...program, ...argvWords(list)], this.secretName);
    const at = program.length;
    return list.map((v, i) => {
      const spans = found.spans[at + i]!;
      if (spans.length === 0 || (typeof v !== 'string' && typeof v !== 'number')) return this.walk(v, key);
      // A number given as a password's value (`["--password", 12345678]`) is masked whole.
      if (typeof v === 'number') return this.set.whole(String(v), 'shell-secret');
      const element = v;
      const all: StructuredSpan[] = spans.map((s) => ({
        start: s.start,
        end: s.end,
        ruleId: 'shell-secret',
      }));
      const shell = isShellKey(key);
      if (!shell && !found.code[at + i]) return this.set.maskSpans(element, all);
      // A line a shell runs, or an element under a shell key (read as a command line before too).
      const code = shellCodeBreaks(element);
      if (shell) addDisjoint(all, clipSpansToCode(element, this.shellSpans(element), code));
      return this.set.maskSpans(element, all, () => code);
    });
  }

  /**
   * A command line: secret options and variables, then the text rules. Every mask stops where the
   * shell reads code again, the next command or a substitution (shell-code-clip.ts), so what runs
   * is never inside one.
   */
  private commandLine(line: string): string {
    const spans = this.shellSpans(line);
    let breaks: readonly CodeSpan[] | null = null;
    const code = () => (breaks ??= shellCodeBreaks(line));
    return this.set.maskSpans(line, spans.length > 0 ? clipSpansToCode(line, spans, code()) : spans, code);
  }

  /**
   * Output frames `[time, 'o', text]`: the texts are joined and read as shell text; a secret span
   * is masked whole in the frame where it starts and removed from the frames it runs on into. The
   * rest of each frame gets the text rules, and every frame keeps its time.
   */
  private terminalOutput(value: JsonObject): JsonObject {
    const { set, secretName } = this;
    const frames = value.frames as JsonValue[];
    const starts: number[] = [];
    let joined = '';
    for (const frame of frames) {
      starts.push(joined.length);
      if (isOutputFrame(frame)) joined += frame[2];
    }
    const spans = shellSecretSpans(joined, secretName);
    const out: JsonObject = {};
    for (const k of Object.keys(value)) {
      if (k !== 'frames') {
        setOwn(out, set.maskKey(k), this.walk(value[k]!, k));
        continue;
      }
      out[k] = frames.map((frame, i) => {
        if (!isOutputFrame(frame)) return this.walk(frame, null);
        const from = starts[i]!;
        const text = frame[2];
        let masked = '';
        let at = 0;
        for (const span of spans) {
          const start = Math.max(span.start - from, 0);
          const end = Math.min(span.end - from, text.length);
          if (end <= start || end <= 0 || start >= text.length) continue;
          masked += set.mask(text.slice(at, start));
          if (span.start >= from) masked += set.whole(joined.slice(span.start, span.end), 'shell-secret');
          at = end;
        }
        masked += set.mask(text.slice(at));
        return [frame[0], frame[1], masked];
      });
    }
    return out;
  }
}

/** Decoded blobs larger than this are left to the rules as they stand. */
const MAX_BLOB_TEXT = 1 << 20;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text a base64 value encodes, when it is UTF-8 text (at most 5% control characters), else null. */
function base64Text(value: string): string | null {
  if (value.length > (MAX_BLOB_TEXT / 3) * 4) return null;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(value, 'base64'));
  } catch {
    return null;
  }
  if (text.length === 0) return null;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return control <= text.length * 0.05 ? text : null;
}

/** An asciicast output frame: [seconds, 'o', text]. */
function isOutputFrame(v: JsonValue): v is [number, 'o', string] {
  return Array.isArray(v) && v.length === 3 && v[1] === 'o' && typeof v[2] === 'string';
}

/** The ssh.output shape: a channel and its asciicast frames. */
function isTerminalOutput(v: JsonObject): boolean {
  return typeof v.channel === 'number' && Array.isArray(v.frames);
}

/**
 * The SSH shapes (src/protocols/ssh): a channel number with a command line (ssh.exec, ssh.command)
 * or typed keys (ssh.input, `data` beside its time `t`).
 */
function isShellPayload(v: JsonObject): boolean {
  return (
    typeof v.channel === 'number' &&
    (typeof v.command === 'string' || (typeof v.data === 'string' && typeof v.t === 'number'))
  );
}

/**
 * A name-value pair (`{ name: 'my.api_key', value: '…' }`: a setting a statement changes, a header
 * in a HAR-like list): its value is read as if under the name, so a secret name masks it whole.
 * Without this the value stood under the key `value`, which names nothing, and a setting's value
 * of words (`SET my.api_key TO '…'`) was recorded in the statement's facts as typed.
 */
function pairedName(v: JsonObject, secretName: SecretNameMatcher): string | null {
  const name = v.name;
  return typeof name === 'string' && v.value !== undefined && secretName(name) ? name : null;
}

function columnSpans(literals: readonly SqlValueSpan[]): StructuredSpan[] {
  return literals.map((l) => ({ start: l.start, end: l.end, ruleId: 'secret-column' }));
}

/** A db.query's `named_statements` (core/db-payloads.ts) when well formed, else none. */
function namedStatements(v: JsonValue | undefined): NamedStatementText[] {
  if (!Array.isArray(v)) return [];
  return v.every(
    (n) =>
      n !== null &&
      typeof n === 'object' &&
      !Array.isArray(n) &&
      typeof n.name === 'string' &&
      typeof n.statement === 'string',
  )
    ? (v as NamedStatementText[])
    : [];
}

/**
 * A value recorded by its size and digest (`{bytes, sha256}`: a value too large to keep, or one past
 * a row's bound). In a secret column the digest is masked too: a row's later values are recorded
 * this way once its earlier ones fill the row's bound, and the SHA-256 of a short password is
 * found by guessing.
 */
function isDigestCell(cell: JsonValue): cell is JsonObject & { sha256: string } {
  return cell !== null && typeof cell === 'object' && !Array.isArray(cell) && typeof cell.sha256 === 'string';
}

/** The db.query shape (core/db-payloads.ts): a statement text and its bound parameters. */
function isDbQuery(v: JsonObject): boolean {
  return typeof v.statement === 'string' && Array.isArray(v.parameters);
}

/** The db.result shape: column names and rows of cells. */
function isDbResult(v: JsonObject): boolean {
  return Array.isArray(v.columns) && Array.isArray(v.rows) && v.columns.every((c) => typeof c === 'string');
}
