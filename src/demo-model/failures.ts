// Failure injection without a hook: the `x-demo-fail` header or a `demo-fail-<spec>` model name.
// Specs (comma-separated in the header): mid-stream[:K] | status-NNN | hang | reset | slow-MS.
import type { DemoReply } from './types.js';

export const FAIL_HEADER = 'x-demo-fail';
export const FAIL_MODEL_PREFIX = 'demo-fail-';

/** The default number of content chunks sent before a mid-stream death. */
export const DEFAULT_CHUNKS_BEFORE_DEATH = 2;

export type ParsedFailure =
  | { readonly ok: true; readonly reply: DemoReply }
  | { readonly ok: false; readonly spec: string };

/** Parses one or more specs into the DemoReply fields they stand for. */
export function parseFailureSpecs(text: string): ParsedFailure {
  let reply: { -readonly [K in keyof DemoReply]: DemoReply[K] } = {};
  for (const raw of text.split(',')) {
    const spec = raw.trim().toLowerCase();
    if (spec === '') continue;
    const part = parseOne(spec);
    if (part === null) return { ok: false, spec };
    reply = { ...reply, ...part };
  }
  return { ok: true, reply };
}

function parseOne(spec: string): DemoReply | null {
  if (spec === 'hang') return { fail: { kind: 'hang' } };
  if (spec === 'reset') return { fail: { kind: 'reset' } };
  let m = /^mid-stream(?:[:-](\d+))?$/.exec(spec);
  if (m)
    return {
      fail: {
        kind: 'mid-stream',
        afterChunks: m[1] === undefined ? DEFAULT_CHUNKS_BEFORE_DEATH : Number(m[1]),
      },
    };
  m = /^status[:-]([1-5]\d\d)$/.exec(spec);
  if (m) {
    const status = Number(m[1]);
    return { error: { status, message: `Injected failure: status ${status} (${FAIL_HEADER}).` } };
  }
  m = /^slow[:-](\d+)$/.exec(spec);
  if (m) return { delayMs: Number(m[1]) };
  return null;
}

/** The failure a request asks for by header or model name, or null. */
export function requestedFailure(
  headers: Readonly<Record<string, string>>,
  model: string,
): ParsedFailure | null {
  const fromHeader = headers[FAIL_HEADER];
  if (fromHeader !== undefined && fromHeader.trim() !== '') return parseFailureSpecs(fromHeader);
  if (model.startsWith(FAIL_MODEL_PREFIX)) return parseFailureSpecs(model.slice(FAIL_MODEL_PREFIX.length));
  return null;
}
