// The masker the pipeline uses: rule sets per connection compiled once, known secrets, fingerprinted
// replacements, JSON payload walking, streams, and Vigil's own log lines.
import type { JsonObject } from '../core/events.js';
import type { PayloadMasker } from '../core/ports.js';
import { embeddedFieldSpans } from './embedded-fields.js';
import { registerValueReplacer } from './error-values.js';
import { createFingerprinter, type Fingerprinter } from './fingerprint.js';
import { type KnownSecret, MIN_KNOWN_SECRET_LENGTH, secretVariants } from './known-secrets.js';
import { type CustomRuleInput, customRule, type RuleSelection, selectRules } from './rule-set.js';
import { type KnownEntry, LOOKAHEAD_MARGIN, type RawFinding, Scanner, type ScanResult } from './scanner.js';
import { DEFAULT_SECRET_NAMES, type SecretNameMatcher, secretNameMatcher } from './secret-names.js';
import { clipSpansToCode, shellCodeBreaks } from './shell-code-clip.js';
import { shellSecretSpans } from './shell-line.js';
import { type CodeSpan, clipToCode } from './sql-code-clip.js';
import { ShapeCachedBindings } from './sql-shape-cache.js';
import type { SqlReading } from './sql-tokens.js';
import { createFieldStreamMasker } from './stream-fields.js';
import { createStreamMaskerFor, type StreamMasker, type StreamScanner } from './stream-masker.js';
import { type StructuredSpan, walkPayload } from './structured.js';
import type { Finding } from './types.js';

export interface MaskerOptions {
  /** Key of the HMAC that makes replacement suffixes; keep it secret and stable across restarts. */
  readonly fingerprintKey: string | Uint8Array;
  readonly customRules?: readonly CustomRuleInput[];
  readonly disabledRules?: readonly string[];
  /** Default-off rules (ip-address) to turn on everywhere. */
  readonly enabledRules?: readonly string[];
  /** Values never masked (exact match of the secret part). */
  readonly allow?: readonly string[];
  readonly connections?: readonly {
    readonly name: string;
    readonly masking?: { disabled_rules?: readonly string[]; enabled_rules?: readonly string[] };
    /** How the server behind it reads SQL's quoted strings; both readings are bound when absent. */
    readonly sqlReading?: SqlReading;
  }[];
  readonly knownSecrets?: readonly KnownSecret[];
  /**
   * Names of columns, JSON keys, form fields and variables whose values are masked whole (see
   * secret-names.ts); DEFAULT_SECRET_NAMES when absent, none when empty.
   */
  readonly secretNames?: readonly string[];
  /**
   * Told the rule id of every replacement made (metrics). It runs only where a finding is rendered,
   * never in the scan, so text with nothing to mask costs nothing more.
   */
  readonly onReplaced?: (ruleId: string) => void;
  /**
   * `false`: every SQL text's bound values read anew, none kept by its shape (sql-shape-cache.ts);
   * the output is the same either way (the reference of the cache's tests and benches).
   */
  readonly sqlShapeCache?: boolean;
}

export interface MaskResult {
  readonly text: string;
  readonly findings: Finding[];
}

export interface Masker extends PayloadMasker {
  /** Without a connection (or an unknown one), the global rule set applies. */
  maskText(text: string, connection?: string): string;
  /** Masks `value` (and its URL-encoded and base64 forms) wherever it appears from now on. */
  addKnownSecret(value: string, label: string): void;
  /** Masks text and says what was found (offsets refer to the input). */
  scanText(text: string, connection?: string): MaskResult;
  createStreamMasker(connection?: string): StreamMasker;
  /** The most characters a stream masker holds back for a pattern rule (token runs: see docs). */
  streamWindow(connection?: string): number;
  /** Masks a shell command line: secret options and variables (shell-line.ts), then the text rules. */
  maskShellLine(line: string, connection?: string): string;
  /** scanText for a shell line, with the option or variable named in each finding's detail. */
  scanShellLine(line: string, connection?: string): MaskResult;
  /** scanText for a SQL statement, with values bound to secret-named columns masked whole. */
  scanSql(sql: string, connection?: string): MaskResult;
  /**
   * scanText for a text as a payload's string value is masked: with the secret-named fields written
   * inside it (JSON, a form, NAME=value lines, XML; embedded-fields.ts) masked whole.
   */
  scanValue(text: string, connection?: string): MaskResult;
}

const DEFAULT_SET = '';
/** The set of no rules: only the known secrets (no connection can be named so). */
const KNOWN_ONLY = '\u0000known';
const SHORT_VALUE = 64;
const CLEAN_CACHE_LIMIT = 50_000;

export function createMasker(options: MaskerOptions): Masker {
  const fingerprint = createFingerprinter(options.fingerprintKey);
  const custom = (options.customRules ?? []).map(customRule);
  const global: RuleSelection = {
    enabled: options.enabledRules ?? [],
    disabled: options.disabledRules ?? [],
  };
  const allow = new Set(options.allow ?? []);
  const perConnection = new Map<string, RuleSelection>();
  const sqlReadings = new Map<string, SqlReading>();
  for (const c of options.connections ?? []) {
    if (c.sqlReading !== undefined) sqlReadings.set(c.name, c.sqlReading);
    perConnection.set(c.name, {
      enabled: c.masking?.enabled_rules ?? [],
      disabled: c.masking?.disabled_rules ?? [],
    });
  }
  // Validate every selection now, so a typo in a rule id fails at start rather than on first use.
  selectRules(custom, global);
  for (const sel of perConnection.values()) selectRules(custom, global, sel);

  const known = new Map<string, KnownEntry>();
  const compiled = new Map<string, CompiledSet>();
  const setFor = (connection: string | undefined): CompiledSet => {
    const key =
      connection === KNOWN_ONLY || (connection !== undefined && perConnection.has(connection))
        ? connection
        : DEFAULT_SET;
    let set = compiled.get(key);
    if (!set) {
      const rules =
        key === KNOWN_ONLY
          ? []
          : selectRules(custom, global, key === DEFAULT_SET ? {} : perConnection.get(key));
      set = new CompiledSet(
        new Scanner(rules, known, allow, key !== KNOWN_ONLY),
        fingerprint,
        options.onReplaced,
        () =>
          new Scanner(
            rules.filter((r) => r.engine !== 'token-runs'),
            known,
            allow,
          ),
      );
      compiled.set(key, set);
    }
    return set;
  };

  const addKnownSecret = (value: string, label: string) => {
    if (value.length < MIN_KNOWN_SECRET_LENGTH || allow.has(value)) return;
    let added = false;
    for (const variant of secretVariants(value)) {
      if (!known.has(variant)) {
        known.set(variant, { secret: value, label });
        added = true;
      }
    }
    if (added) compiled.clear();
  };
  for (const k of options.knownSecrets ?? []) addKnownSecret(k.value, k.label);

  const secretName: SecretNameMatcher = secretNameMatcher(options.secretNames ?? DEFAULT_SECRET_NAMES);
  // A database error's quoted values are replaced as its secret cells are (error-values.ts).
  registerValueReplacer(secretName, (value) => setFor(DEFAULT_SET).whole(value, 'secret-column'));
  // One per masker, not per connection: the reading depends on no connection's state (sql-shape-cache.ts).
  const sqlBindings = new ShapeCachedBindings(secretName, options.sqlShapeCache === false ? 0 : undefined);
  const maskText = (text: string, connection?: string) => setFor(connection).mask(text);
  const readingOf = (connection: string | undefined): SqlReading | 'both' =>
    (connection !== undefined ? sqlReadings.get(connection) : undefined) ?? 'both';
  /** A command line as an exec command's is recorded: every mask stops where code resumes. */
  const scanShell = (line: string, connection: string | undefined): MaskResult => {
    const spans = shellSecretSpans(line, secretName).map((s) => ({
      start: s.start,
      end: s.end,
      ruleId: 'shell-secret',
      detail: `option or variable ${s.name}`,
    }));
    const code = shellCodeBreaks(line);
    return setFor(connection).scanText(line, clipSpansToCode(line, spans, code), code);
  };

  return {
    maskText,
    maskPayload: (payload, connection) => {
      const reading = readingOf(connection);
      return walkPayload(payload, setFor(connection), secretName, reading, (sql) =>
        sqlBindings.read(sql, reading),
      ) as JsonObject;
    },
    scanText: (text, connection) => setFor(connection).scanText(text),
    maskShellLine: (line, connection) => scanShell(line, connection).text,
    scanShellLine: scanShell,
    scanSql: (sql, connection) => {
      const set = setFor(connection);
      return set.scanText(sql, sqlSpans(sql, sqlBindings, readingOf(connection)));
    },
    scanValue: (text, connection) => setFor(connection).scanText(text, fieldSpans(text, secretName)),
    addKnownSecret,
    createStreamMasker: (connection) => createStreamMaskerFor(() => setFor(connection)),
    createValueStreamMasker: (connection) =>
      createFieldStreamMasker({
        inner: () => createStreamMaskerFor(() => setFor(connection)),
        maskValue: (text) =>
          walkPayload(text, setFor(connection), secretName, readingOf(connection)) as string,
        isSecretName: secretName,
      }),
    createKnownSecretsMasker: () => createStreamMaskerFor(() => setFor(KNOWN_ONLY)),
    maskKnownSecrets: (text) => setFor(KNOWN_ONLY).mask(text),
    streamWindow: (connection) => setFor(connection).window,
    isSecretName: secretName,
  };
}

function sqlSpans(
  sql: string,
  bindings: ShapeCachedBindings,
  reading: SqlReading | 'both',
): StructuredSpan[] {
  return bindings.read(sql, reading).literals.map((l) => ({
    start: l.start,
    end: l.end,
    ruleId: 'secret-column',
    detail: `column ${l.column}`,
  }));
}

function fieldSpans(text: string, secretName: SecretNameMatcher): StructuredSpan[] {
  return embeddedFieldSpans(text, secretName).map((f) => ({
    start: f.start,
    end: f.end,
    ruleId: 'secret-field',
    detail: `field ${f.name}`,
  }));
}

/** One compiled rule set with its replacement rendering. */
export class CompiledSet implements StreamScanner {
  readonly window: number;
  private readonly keys = new Map<string, string>();
  private readonly clean = new Set<string>();
  #withoutRuns: Scanner | null = null;

  /** `withoutRuns`: the same rules but the token-run detectors, built when an opaque blob is first masked. */
  constructor(
    private readonly scanner: Scanner,
    private readonly fingerprint: Fingerprinter,
    private readonly onReplaced: ((ruleId: string) => void) | undefined,
    private readonly withoutRuns: () => Scanner,
  ) {
    this.window = scanner.maxMatchLength + LOOKAHEAD_MARGIN;
  }

  get readsInvisible(): boolean {
    return this.scanner.readInvisible;
  }

  holdFrom(text: string, from: number): number {
    return this.scanner.holdFrom(text, from);
  }

  scan(text: string, from: number, horizon: number, pending: Parameters<Scanner['scan']>[3]): ScanResult {
    return this.scanner.scan(text, from, horizon, pending);
  }

  mask(text: string): string {
    if (text.length === 0) return text;
    // Short values repeat (enum columns, dates, roles): remember the ones with nothing to mask.
    // Only clean values are kept, so the cache never holds a secret that was found.
    const short = text.length <= SHORT_VALUE;
    if (short && this.clean.has(text)) return text;
    const result = this.scanner.scan(text);
    if (result.findings.length === 0) {
      if (short) {
        if (this.clean.size >= CLEAN_CACHE_LIMIT) this.clean.clear();
        this.clean.add(text);
      }
      return text;
    }
    return this.render(text, 0, text.length, result);
  }

  /**
   * Masks a value found under `key`: the key is read as the text before the value, so a digest
   * under `digest` or `sha256` is known for one and a token under `api_key` is labelled.
   */
  maskUnder(key: string, value: string): string {
    if (value.length === 0) return value;
    const short = value.length <= SHORT_VALUE;
    const cacheKey = `${key}\u0000${value}`;
    if (short && this.clean.has(cacheKey)) return value;
    const prefix = `"${key}": "`;
    const text = prefix + value;
    const result = this.scanner.scan(text, prefix.length);
    if (result.findings.length === 0) {
      if (short) {
        if (this.clean.size >= CLEAN_CACHE_LIMIT) this.clean.clear();
        this.clean.add(cacheKey);
      }
      return value;
    }
    return this.render(text, prefix.length, text.length, result);
  }

  /** Object keys repeat (column names), so their verdicts are remembered. */
  maskKey(key: string): string {
    let masked = this.keys.get(key);
    if (masked === undefined) {
      masked = this.mask(key);
      if (this.keys.size < 10_000) this.keys.set(key, masked);
    }
    return masked;
  }

  /** The value replaced whole (a secret column's cell, a secret key's value). */
  whole(value: string, ruleId: string): string {
    if (value.length === 0) return value;
    return this.replacement({ ruleId, start: 0, end: value.length, secret: value });
  }

  /**
   * A provider's opaque blob (a thinking block's signature, encrypted reasoning): random by
   * construction, so the token-run detectors are not asked; known secrets and every pattern rule
   * still are, so a credential put there is still found.
   */
  maskOpaque(value: string): string {
    this.#withoutRuns ??= this.withoutRuns();
    const result = this.#withoutRuns.scan(value);
    return result.findings.length === 0 ? value : this.render(value, 0, value.length, result);
  }

  /** Masks text where `spans` (structure: SQL values, shell options) are secret, and the rules elsewhere. */
  /**
   * `code`: for a SQL statement, its code tokens (sql-code-clip.ts), asked for only when a rule
   * matched: a rule's match that begins in a string or comment is cut where code resumes.
   */
  maskSpans(text: string, spans: readonly StructuredSpan[], code?: () => readonly CodeSpan[]): string {
    if (spans.length === 0) {
      // The clean-value cache first (mask): the clip is needed only when a rule matched.
      const masked = this.mask(text);
      if (code === undefined || masked === text) return masked;
    }
    const result = this.withSpans(text, spans, code);
    return this.render(text, 0, text.length, result);
  }

  private withSpans(
    text: string,
    spans: readonly StructuredSpan[],
    code?: () => readonly CodeSpan[],
  ): ScanResult {
    const scanned = this.scanner.scan(text);
    const result =
      code !== undefined && scanned.findings.length > 0
        ? { ...scanned, findings: clipToCode(text, scanned.findings, code()) }
        : scanned;
    if (spans.length === 0) return result;
    const own: RawFinding[] = spans
      .filter((s) => s.end > s.start)
      .map((s) => ({
        ruleId: s.ruleId,
        start: s.start,
        end: s.end,
        secret: text.slice(s.start, s.end),
        detail: s.detail,
      }));
    // Structure's spans first, each widened over any it overlaps (two readings of one statement may
    // cut a value differently: both are masked); then a rule's finding wherever none of them is.
    // Sorted sweeps: a check of every finding against every span was quadratic, and a dump's
    // INSERT of 30,000 rows took seconds.
    own.sort((a, b) => a.start - b.start);
    const widened: RawFinding[] = [];
    for (const o of own) {
      const last = widened[widened.length - 1];
      if (last !== undefined && o.start < last.end) {
        if (o.end > last.end)
          widened[widened.length - 1] = { ...last, end: o.end, secret: text.slice(last.start, o.end) };
      } else widened.push(o);
    }
    const findings: RawFinding[] = [];
    let s = 0;
    let lastEnd = 0;
    const push = (f: RawFinding) => {
      if (f.start < lastEnd) return;
      findings.push(f);
      lastEnd = f.end;
    };
    for (const f of result.findings) {
      while (s < widened.length && widened[s]!.start < f.end) push(widened[s++]!);
      push(f); // dropped where it overlaps a span taken before it
    }
    while (s < widened.length) push(widened[s++]!);
    return { findings, next: text.length, pending: null };
  }

  scanText(
    text: string,
    spans: readonly StructuredSpan[] = [],
    code?: readonly CodeSpan[],
  ): { text: string; findings: Finding[] } {
    const result = this.withSpans(text, spans, code && (() => code));
    return {
      text: this.render(text, 0, text.length, result),
      findings: result.findings.map((f) => ({
        ruleId: f.ruleId,
        start: f.start,
        end: f.end,
        fingerprint: this.fingerprint(f.secret),
        ...(f.label !== undefined ? { label: f.label } : {}),
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
      })),
    };
  }

  render(text: string, from: number, to: number, result: ScanResult): string {
    let out = '';
    let pos = from;
    for (const f of result.findings) {
      out += text.slice(pos, f.start) + this.replacement(f);
      pos = f.end;
    }
    return out + text.slice(pos, to);
  }

  private replacement(f: RawFinding): string {
    this.onReplaced?.(f.ruleId);
    const fp = this.fingerprint(f.secret);
    if (f.replacement !== undefined)
      return f.replacement.replaceAll('{rule}', f.ruleId).replaceAll('{fingerprint}', fp);
    return `[MASKED:${f.ruleId}:${fp}]`;
  }
}
