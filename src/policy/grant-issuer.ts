// Time-bound grants: issued when an access request is approved or glass is broken, revoked early
// on request. Each is recorded (access.granted, access.revoked) in the session of the approval
// request it belongs to before the store changes, and the grant cache is refreshed at once so this
// gateway applies it without waiting for the next poll.
import { VigilError } from '../core/errors.js';
import type { EventType, Identity, JsonObject } from '../core/events.js';
import { nowIso } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { ApprovalRecord, ApprovalStore, Clock, GrantRecord } from '../core/ports.js';
import type { EventContext } from '../pipeline/pipeline.js';
import type { GrantCache } from './grant-cache.js';

export interface GrantIssuerDeps {
  readonly store: ApprovalStore;
  readonly record: (ctx: EventContext, type: EventType, payload: JsonObject) => Promise<unknown>;
  readonly grants: GrantCache;
  readonly clock: Clock;
}

export function approvalContext(record: ApprovalRecord, identity: Identity): EventContext {
  return { sessionId: record.sessionId, connection: record.connection, identity, protocol: 'approval' };
}

export class GrantIssuer {
  readonly #deps: GrantIssuerDeps;

  constructor(deps: GrantIssuerDeps) {
    this.#deps = deps;
  }

  /**
   * A grant for the requester of an approved access request, or for whoever broke glass (then
   * `approval` is the break-glass review). The grant runs from now: a requester gets the time asked for.
   */
  async issue(approval: ApprovalRecord, actor: Identity, durationMs: number): Promise<GrantRecord> {
    const now = this.#deps.clock.now();
    const breakGlass = approval.kind === 'break-glass';
    const grant: GrantRecord = {
      id: typeof approval.subject.grant_id === 'string' ? approval.subject.grant_id : newId('gr'),
      subject: approval.requester.subject,
      subjectKind: approval.requester.kind,
      connection: approval.connection,
      approvalId: approval.id,
      breakGlass,
      reason: approval.reason,
      createdAt: nowIso(now),
      expiresAt: nowIso(now + durationMs),
      revokedAt: null,
      revokedBy: null,
    };
    await this.#deps.record(approvalContext(approval, actor), 'access.granted', {
      grant_id: grant.id,
      approval_id: approval.id,
      subject: grant.subject,
      connection: grant.connection,
      expires_at: grant.expiresAt,
      break_glass: breakGlass,
      ...(breakGlass ? { reason: grant.reason, review_required: true } : {}),
    });
    await this.#deps.store.createGrant(grant);
    await this.#deps.grants.refresh(true);
    return grant;
  }

  /** Ends a grant early; the grant watcher cuts the sessions it admitted. */
  async revoke(id: string, by: Identity): Promise<GrantRecord> {
    const grant = await this.#deps.store.getGrant(id);
    if (!grant) throw new VigilError('grant_unknown', `no grant ${id}`);
    if (grant.revokedAt !== null) throw new VigilError('grant_unknown', `grant ${id} is already revoked`);
    const approval = grant.approvalId ? await this.#deps.store.getApproval(grant.approvalId) : null;
    if (approval) {
      await this.#deps.record(approvalContext(approval, by), 'access.revoked', {
        reason: 'grant-revoked',
        grant_id: id,
        subject: grant.subject,
      });
    }
    const revoked = await this.#deps.store.revokeGrant(id, nowIso(this.#deps.clock.now()), by.subject);
    if (!revoked) throw new VigilError('grant_unknown', `grant ${id} is already revoked`);
    await this.#deps.grants.refresh(true);
    return (await this.#deps.store.getGrant(id)) ?? grant;
  }
}
