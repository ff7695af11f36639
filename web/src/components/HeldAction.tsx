// What a held action's reviewer approves: the action whole, as the ledger recorded it (masked), read
// from GET /api/sessions/:session/approvals/:approval/action. The request's own summary is one line
// cut at 400 characters: a statement padded past that point would show a harmless beginning and
// hide the rest, and a reviewer who is neither admin nor auditor cannot open the requester's session
// to read it. Until the whole action is shown, Approve stays disabled (ApprovalsPage.tsx).
import { useEffect, useState } from 'react';
import { apiGet, describeError } from '../api';
import { findLookAlikes } from '../look-alikes';
import type { ApprovalRecord, JsonObject } from '../types';
import { InertBlock, InertLine } from './InertText';
import { PayloadView } from './PayloadView';

interface HeldActionAnswer {
  readonly action: JsonObject | null;
}

export type HeldActionState =
  | { readonly state: 'loading' }
  | { readonly state: 'shown'; readonly action: JsonObject }
  | { readonly state: 'missing'; readonly problem: string };

/** The whole held action of a request of kind `action`; null for any other request. */
export function useHeldAction(record: ApprovalRecord): HeldActionState | null {
  const held = record.kind === 'action';
  const [state, setState] = useState<HeldActionState>({ state: 'loading' });
  useEffect(() => {
    if (!held) return;
    let live = true;
    apiGet<HeldActionAnswer>(
      `/api/sessions/${encodeURIComponent(record.sessionId)}/approvals/${encodeURIComponent(record.id)}/action`,
    )
      .then(
        ({ action }) =>
          live &&
          setState(
            action
              ? { state: 'shown', action }
              : { state: 'missing', problem: 'the ledger no longer holds it (purged)' },
          ),
      )
      .catch((err) => live && setState({ state: 'missing', problem: describeError(err) }));
    return () => {
      live = false;
    };
  }, [held, record.sessionId, record.id]);
  return held ? state : null;
}

/**
 * The statement or command, read first, and every other field (a statement's parameters, a tool's
 * arguments) below it: what runs is all of it.
 */
function split(action: JsonObject): { main: string | null; rest: JsonObject } {
  for (const key of ['statement', 'command'] as const) {
    const value = action[key];
    if (typeof value === 'string') {
      const { [key]: _main, ...rest } = action;
      return { main: value, rest };
    }
  }
  return { main: null, rest: action };
}

/** A masker's placeholder (src/mask/masker.ts): `[MASKED:rule:fingerprint]`. */
const MASKED = /\[MASKED:[^\]\s]{1,80}\]/g;

/** How many masked parts the action holds, in any of its fields. */
function maskedParts(action: JsonObject): number {
  return JSON.stringify(action).match(MASKED)?.length ?? 0;
}

/**
 * What runs is the action as sent, and the card shows it masked: a mask stands for whatever its
 * rule matched, and a match may run past the secret it is shaped for (a private key's header takes
 * the words after it; in a SQL statement it stops where code resumes, sql-code-clip.ts, but not in
 * a prompt or a shell line). The reviewer is told so, where the action is read, rather than left to
 * take a mask for a secret and nothing more.
 */
function MaskedWarning({ count }: { count: number }) {
  if (count === 0) return null;
  return (
    <p className="error" role="alert" data-testid="approval-masked">
      {count === 1 ? 'One part' : `${count} parts`} of this action {count === 1 ? 'is' : 'are'} masked
      ([MASKED:…]): what runs holds the text a mask stands for, which is not shown here, and a mask can stand
      for more than a secret. Approve only if each mask sits where a secret belongs.
    </p>
  );
}

/**
 * A statement or command with characters that look like ASCII syntax (quotes, comment marks,
 * operators, separators) and are not: the card names each, since the text around them may read as
 * quoted or commented out and still run (look-alikes.ts).
 */
function LookAlikeWarning({ text }: { text: string }) {
  const found = findLookAlikes(text);
  if (found.length === 0) return null;
  return (
    <p className="error" role="alert" data-testid="approval-look-alike">
      This action holds characters that look like ASCII punctuation and are not:{' '}
      {found.map((l, i) => (
        <span key={l.code} data-code={l.code}>
          {i > 0 ? ', ' : ''}
          <code>
            <bdi>{l.resembles === ' ' ? '' : l.char}</bdi>
          </code>{' '}
          {l.code} (looks like <code>{l.resembles === ' ' ? 'a space' : l.resembles}</code>
          {l.count > 1 ? `, ${l.count} times` : ''})
        </span>
      ))}
      . A shell or a database reads each as an ordinary character, not as the quote, comment mark, operator or
      separator it resembles: text that looks quoted or commented out may run.
    </p>
  );
}

export function HeldAction({ record, held }: { record: ApprovalRecord; held: HeldActionState }) {
  const summary = typeof record.subject.summary === 'string' ? record.subject.summary : null;
  if (held.state !== 'shown') {
    return (
      <>
        {summary !== null && (
          <pre className="text" data-testid="approval-action" data-complete="false">
            <InertLine text={summary} />
          </pre>
        )}
        <p
          className={held.state === 'loading' ? 'muted' : 'error'}
          role={held.state === 'loading' ? undefined : 'alert'}
        >
          {held.state === 'loading'
            ? 'Reading the whole action…'
            : `The whole action could not be read, so it cannot be approved here: ${held.problem}`}
        </p>
      </>
    );
  }
  const { main, rest } = split(held.action);
  return (
    <div className="held-action" data-testid="approval-action" data-complete="true">
      {main !== null && <InertBlock text={main} testId="approval-statement" />}
      {main !== null && <LookAlikeWarning text={main} />}
      {Object.keys(rest).length > 0 && <PayloadView value={rest} />}
      <MaskedWarning count={maskedParts(held.action)} />
    </div>
  );
}
