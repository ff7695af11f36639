// Reads vigil.yaml, validates it against the schema and reports errors by key and line.
// Secret references stay references here; resolveSecret() reads them when a component needs one.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { VigilConfig } from '../core/config.js';
import { VigilError } from '../core/errors.js';
import { configSchema } from '../protocols/index.js';

export interface LoadedConfig {
  readonly config: VigilConfig;
  /** The file it came from, or null for the built-in demo setup. */
  readonly path: string | null;
  /** Absolute data directory. */
  readonly dataDir: string;
}

export function parseConfigText(text: string, source: string): VigilConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new VigilError('config_invalid', `${source}:${pos.line}: ${first.message.split('\n')[0]}`, {
      details: { line: pos.line },
    });
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => describeIssue(issue, doc, lineCounter, source));
  throw new VigilError('config_invalid', `invalid configuration:\n  ${lines.join('\n  ')}`, {
    details: { issues: lines },
  });
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: ReturnType<typeof parseDocument>,
  lineCounter: LineCounter,
  source: string,
): string {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  const key = path.length
    ? path
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[')
    : '(top level)';
  // Find the closest node that exists in the document to report its line.
  let line: number | null = null;
  for (let depth = path.length; depth >= 0 && line === null; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) line = lineCounter.linePos(node.range[0]).line;
  }
  return `${source}${line === null ? '' : `:${line}`}: ${key}: ${issue.message}`;
}

export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VigilError('config_not_found', `cannot read the configuration file ${path}`, { cause: err });
  }
  const config = parseConfigText(text, path);
  const base = dirname(resolve(path));
  return {
    config,
    path: resolve(path),
    dataDir: isAbsolute(config.data) ? config.data : resolve(base, config.data),
  };
}

/** Resolves `env:NAME` or `file:PATH` (relative to `baseDir`). Throws `secret_unresolved` naming the reference. */
export function resolveSecret(ref: string, baseDir: string = process.cwd()): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = process.env[name];
    if (value === undefined || value === '') {
      throw new VigilError(
        'secret_unresolved',
        `environment variable ${name} is not set (referenced as ${ref})`,
      );
    }
    return value;
  }
  if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8').trim();
    } catch (err) {
      throw new VigilError('secret_unresolved', `cannot read secret file ${file} (referenced as ${ref})`, {
        cause: err,
      });
    }
  }
  throw new VigilError('secret_unresolved', `not a secret reference: use env:NAME or file:PATH`);
}
