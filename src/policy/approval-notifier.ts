// Tells reviewers about approval requests, decisions, alerts and break-glass use by posting to
// webhooks (Slack incoming webhooks or any JSON receiver). Delivery is best effort and off the
// caller's path: a slow or broken receiver must never hold up or fail the traffic that caused it.
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { JsonObject } from '../core/events.js';
import { inertLine } from '../core/inert-text.js';

export const NOTICE_KINDS = [
  'approval.requested',
  'approval.decided',
  'policy.alert',
  'access.granted',
  'break_glass.used',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** What reviewers are told. Plain JSON; the caller has already masked every field. */
export type ApprovalNotice = {
  readonly kind: NoticeKind;
  readonly approval_id?: string;
  readonly connection: string;
  readonly session_id?: string;
  /** Subject of whoever asked (or acted, for alerts). */
  readonly requester?: string;
  /** Subject of whoever caused this notice (the reviewer who decided, the approver who granted). */
  readonly actor?: string;
  /** One line saying what is held or happened. */
  readonly summary: string;
  readonly rule?: string;
  readonly reason?: string;
  /** approved, denied, expired, withdrawn: for approval.decided. */
  readonly outcome?: string;
  readonly expires_at?: string;
  /**
   * A held action's digest (SHA-256 hex of exactly what will run): a reviewer can compare it with
   * the request the API shows before approving what the webhook announced.
   */
  readonly action_digest?: string;
  /** ISO-8601 UTC. */
  readonly time: string;
  readonly details?: JsonObject;
};

export interface WebhookTarget {
  readonly url: string;
  readonly format: 'slack' | 'json';
  /** The resolved secret: when set, every body is signed with HMAC-SHA256. */
  readonly secret?: string;
}

export interface WebhookNotifierOptions {
  readonly webhooks: readonly WebhookTarget[];
  readonly logger: { warn(o: object, m: string): void };
  /** Per attempt, including reading the answer. Default 5000. */
  readonly timeoutMs?: number;
  /** Further attempts after a network error, a timeout, a 5xx or a 429. Default 2 (three attempts in all). */
  readonly retries?: number;
  /** Wait before the first retry; doubles for each later one. Default 250. */
  readonly backoffMs?: number;
  /**
   * Deliveries pending at once across all webhooks. Beyond it a notice is dropped with a warning, so
   * a receiver that hangs cannot make memory grow without bound during a burst of alerts. Default 1000.
   */
  readonly maxInFlight?: number;
}

type Attempt =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryable: boolean; readonly status?: number; readonly error?: string };

export class WebhookNotifier {
  readonly #webhooks: readonly WebhookTarget[];
  readonly #logger: WebhookNotifierOptions['logger'];
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxInFlight: number;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: WebhookNotifierOptions) {
    this.#webhooks = options.webhooks;
    this.#logger = options.logger;
    this.#timeoutMs = Math.max(1, options.timeoutMs ?? 5000);
    this.#retries = Math.max(0, Math.floor(options.retries ?? 2));
    this.#backoffMs = Math.max(0, options.backoffMs ?? 250);
    this.#maxInFlight = Math.max(1, options.maxInFlight ?? 1000);
  }

  /** Starts delivery to every webhook and returns at once. Never throws. */
  notify(notice: ApprovalNotice): void {
    for (const target of this.#webhooks) {
      try {
        if (this.#inFlight.size >= this.#maxInFlight) {
          this.#warn(
            { webhook: hostOf(target.url), notice: notice.kind },
            'webhook notice dropped: too many pending',
          );
          continue;
        }
        const body = JSON.stringify(target.format === 'slack' ? slackMessage(notice) : jsonDocument(notice));
        const delivery: Promise<void> = this.#deliver(target, body, notice.kind)
          .catch((err: unknown) =>
            this.#warn({ webhook: hostOf(target.url), error: errorName(err) }, 'webhook delivery failed'),
          )
          .finally(() => this.#inFlight.delete(delivery));
        this.#inFlight.add(delivery);
      } catch (err) {
        this.#warn({ webhook: hostOf(target.url), error: errorName(err) }, 'webhook notice not sent');
      }
    }
  }

  /** Resolves when every delivery started so far (and any started meanwhile) has finished or given up. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #deliver(target: WebhookTarget, body: string, kind: NoticeKind): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'vigil' };
    if (target.secret) {
      // The timestamp is signed with the body, so a receiver that rejects old timestamps also
      // rejects a captured message replayed later.
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-vigil-timestamp'] = timestamp;
      headers['x-vigil-signature'] =
        `sha256=${createHmac('sha256', target.secret).update(`${timestamp}.${body}`).digest('hex')}`;
    }
    const attempts = 1 + this.#retries;
    let last: Attempt = { ok: false, retryable: false };
    for (let n = 1; n <= attempts; n++) {
      if (n > 1) await sleep(this.#backoffMs * 2 ** (n - 2));
      last = await this.#post(target.url, headers, body);
      if (last.ok || !last.retryable) break;
    }
    if (last.ok) return;
    // The host only: a Slack webhook URL carries its secret in the path, and the body may hold user text.
    this.#warn(
      { webhook: hostOf(target.url), notice: kind, status: last.status, error: last.error, attempts },
      'webhook delivery failed',
    );
  }

  async #post(url: string, headers: Record<string, string>, body: string): Promise<Attempt> {
    try {
      const response = await request(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // The answer is not used, but must be consumed to free the connection.
      await response.body.dump();
      const status = response.statusCode;
      if (status >= 200 && status < 300) return { ok: true };
      return { ok: false, retryable: status >= 500 || status === 429, status };
    } catch (err) {
      return { ok: false, retryable: true, error: errorName(err) };
    }
  }

  #warn(o: object, message: string): void {
    try {
      this.#logger.warn(o, message);
    } catch {
      // A failing logger must not turn a notice into an exception in the caller.
    }
  }
}

/** The `json` format: Vigil's own document, versioned so receivers can tell changes apart. */
export function jsonDocument(notice: ApprovalNotice): JsonObject {
  return { vigil: 1, ...notice };
}

// Slack limits: section text 3000 characters, at most 10 fields of 2000 each.
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const FALLBACK_TEXT_MAX = 300;

const TITLES: Record<NoticeKind, string> = {
  'approval.requested': 'Approval requested',
  'approval.decided': 'Approval decided',
  'policy.alert': 'Policy alert',
  'access.granted': 'Access granted',
  'break_glass.used': 'Break-glass access used',
};

/** Kinds that ask reviewers to act, so the message says how. */
const AWAITS_DECISION: ReadonlySet<NoticeKind> = new Set(['approval.requested', 'break_glass.used']);

/** The `slack` format: an incoming-webhook message with a plain-text fallback and Block Kit blocks. */
export function slackMessage(notice: ApprovalNotice): JsonObject {
  const title =
    notice.kind === 'approval.decided' && notice.outcome ? `Approval ${notice.outcome}` : TITLES[notice.kind];
  const facts: [string, string | undefined][] = [
    ['Connection', notice.connection],
    ['Requester', notice.requester],
    ['By', notice.actor !== notice.requester ? notice.actor : undefined],
    ['Rule', notice.rule],
    ['Reason', notice.reason],
    ['Expires', notice.kind === 'approval.decided' ? undefined : notice.expires_at],
    ['Action digest', notice.action_digest ? shortDigest(notice.action_digest) : undefined],
  ];
  const fields = facts
    .filter((f): f is [string, string] => typeof f[1] === 'string' && f[1] !== '')
    .map(([label, value]) => mrkdwn(`*${label}*\n${slackEscape(value)}`, FIELD_TEXT_MAX));
  const blocks: JsonObject[] = [
    {
      type: 'section',
      text: mrkdwn(`*${slackEscape(title)}*\n${slackEscape(notice.summary)}`, SECTION_TEXT_MAX),
      fields,
    },
  ];
  if (notice.approval_id) {
    const id = slackEscape(notice.approval_id);
    const elements = [mrkdwn(`Approval \`${id}\``, SECTION_TEXT_MAX)];
    if (AWAITS_DECISION.has(notice.kind)) {
      elements.push(
        mrkdwn(`Approve: \`vigil approvals approve ${id} --reason "..."\``, SECTION_TEXT_MAX),
        mrkdwn(`Deny: \`vigil approvals deny ${id} --reason "..."\``, SECTION_TEXT_MAX),
      );
    }
    blocks.push({ type: 'context', elements });
  }
  const fallback = clip(slackEscape(`${title}: ${notice.summary} (${notice.connection})`), FALLBACK_TEXT_MAX);
  return { text: fallback, blocks };
}

/** Enough of a digest to tell two actions apart at a glance; the full value is in the API and ledger. */
export function shortDigest(digest: string): string {
  return `sha256:${digest.slice(0, 12)}`;
}

/**
 * Text a requester wrote (a held action, a reason), made safe for a Slack reader. Slack reads `&`,
 * `<` and `>` as control characters (links, mentions). Slack also draws a bidi override, a
 * zero-width character or a line feed as such, so a reviewer would read a reordered statement or a
 * field the requester drew: each is shown as a visible escape (`\u{202E}`, `\n`), as the CLI and the
 * console show them (docs/cli-output.md), with backslashes doubled so the escapes are unambiguous.
 */
export function slackEscape(text: string): string {
  return inertLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mrkdwn(text: string, max: number): JsonObject {
  return { type: 'mrkdwn', text: clip(text, max) };
}

/** Cuts escaped text to `max` characters without leaving half an entity such as `&am`. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

function errorName(err: unknown): string {
  if (err && typeof err === 'object') {
    const { code, name } = err as { code?: unknown; name?: unknown };
    if (typeof code === 'string') return code;
    if (typeof name === 'string') return name;
  }
  return 'unknown';
}
