// Wires just-in-time approvals into a gateway: the grant cache the pipeline consults, the approval
// service that holds actions, the watcher that ends sessions with their grants, the webhook
// notifier, and the reloader that swaps policy and approvals settings when vigil.yaml changes.

import type { ActionDescriber } from '../core/actions.js';
import type { ApprovalsConfig, PolicyConfig, VigilConfig } from '../core/config.js';
import { toVigilError } from '../core/errors.js';
import { type Identity, type JsonObject, sameSubject } from '../core/events.js';
import type { AccessStore, ApprovalStore, Clock } from '../core/ports.js';
import type { AccessState } from '../identity/access-state.js';
import type { EventContext, Pipeline } from '../pipeline/pipeline.js';
import type { Policy } from '../pipeline/policy.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { type ApprovalNotice, WebhookNotifier } from '../policy/approval-notifier.js';
import { ApprovalService, VIGIL_SYSTEM } from '../policy/approval-service.js';
import { GrantCache } from '../policy/grant-cache.js';
import { PolicyRules } from '../policy/policy-rules.js';
import type { RequestSessionEnd } from '../policy/request-sessions.js';
import { withdrawLapsedRequests } from '../scim/lapsed-requests.js';
import { GrantWatcher } from './grant-watcher.js';
import { resolveSecret } from './load-config.js';
import { PolicyReloader } from './policy-reloader.js';
import type { ProposerLookup } from './proposer-lookup.js';
import type { OnAccessChange } from './revocation-watcher.js';

export interface ApprovalsWiringDeps {
  readonly config: VigilConfig;
  readonly configPath: string | null;
  readonly baseDir: string;
  readonly store: ApprovalStore;
  readonly policy: Policy;
  /** The pipeline, once built (the pipeline itself needs the service and the cache first). */
  readonly pipeline: () => Pipeline;
  readonly sessions: () => SessionManager;
  readonly clock: Clock;
  readonly findProposer?: ProposerLookup;
  /** The groups SCIM gives a subject now, as this gateway read them: they go with a reviewer's vote. */
  readonly scimGroupsOf: (subject: string) => readonly string[];
  /** Whether an identity is disabled now (disabledNow): its approvals and requests lapse. */
  readonly isDisabled?: (identity: Identity) => Promise<boolean>;
  /** How an action of any registered protocol reads to policy. */
  readonly describeAction: ActionDescriber;
  readonly logger: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
}

export interface ApprovalsWiring {
  readonly grants: GrantCache;
  readonly service: ApprovalService;
  /** Applies grant changes on this gateway now (cuts sessions whose grant ended) instead of at the next poll. */
  checkGrants(): Promise<void>;
  /**
   * What the revocation watcher does with an access change it reads: withdraws the pending requests
   * it leaves unable to complete (scim/lapsed-requests.ts), on whichever replica reads it first.
   */
  withdrawLapsed(access: AccessState): OnAccessChange;
  readonly reloader: PolicyReloader | null;
  readonly notifier: { flush(): Promise<void> };
  start(): void;
  stop(): Promise<void>;
}

/**
 * Disabled as this gateway last read it (SCIM included), or as the shared store says now: `vigil
 * users disable` writes the store from another process, and a decision must not wait for the
 * revocation poll to see it.
 */
export function disabledNow(
  access: AccessState,
  store: AccessStore,
): (identity: Identity) => Promise<boolean> {
  return async (identity) =>
    access.isDisabled(identity.subject, identity.kind) ||
    (await store.disabledIdentities()).some((d) => sameSubject(d.subject, identity.subject));
}

export async function wireApprovals(deps: ApprovalsWiringDeps): Promise<ApprovalsWiring> {
  const { logger } = deps;
  let approvals: ApprovalsConfig = deps.config.approvals;
  let policy: PolicyConfig = deps.config.policy;
  const buildNotifier = (cfg: ApprovalsConfig) =>
    new WebhookNotifier({
      webhooks: cfg.webhooks.map((w) => ({
        url: w.url,
        format: w.format,
        ...(w.secret ? { secret: resolveSecret(w.secret, deps.baseDir) } : {}),
      })),
      logger,
    });
  let notifier = buildNotifier(approvals);
  deps.policy.replaceRules(new PolicyRules(deps.config.policy, deps.describeAction));

  const grants = new GrantCache(deps.store, deps.clock);
  await grants.refresh(true);
  const sessionIds = new Map<string, ReturnType<SessionManager['liveSessions']>[number]>();
  const service = new ApprovalService({
    describeAction: deps.describeAction,
    store: deps.store,
    record: (ctx, type, payload) => deps.pipeline().observe(ctx, type, payload),
    openSession: async (identity: Identity, connection: string, facts: JsonObject) => {
      const session = await deps
        .sessions()
        .open({ connection, protocol: 'access-request', identity, key: null, facts });
      sessionIds.set(session.sessionId, session);
      return session;
    },
    // Called only while the store says the session has no end yet (ApprovalStore.settleRequestSession).
    endSession: async (ctx: EventContext, facts: JsonObject, reason: RequestSessionEnd = 'closed') => {
      const live = sessionIds.get(ctx.sessionId);
      sessionIds.delete(ctx.sessionId);
      if (live) return deps.sessions().end(live, reason, facts);
      // Opened elsewhere: on another replica, which lets go of it when it reads the decision, or by a
      // process of this gateway's that died and whose sessions nobody has ended yet.
      await deps.pipeline().observe(ctx, 'session.end', { ...facts, reason });
    },
    notifier: { notify: (n: ApprovalNotice) => notifier.notify(n) },
    maskText: (text, connection) => deps.pipeline().masker.maskText(text, connection),
    grants,
    clock: deps.clock,
    config: () => approvals,
    reviewApprovers: (name) => {
      const rule = policy.rules.find((r) => r.name === name);
      return rule?.action === 'review' && rule.review
        ? { approvers: rule.review.approvers, required: rule.review.required }
        : null;
    },
    logger,
    // A reviewer's SCIM groups go with their vote (ApprovalVote.directoryGroups).
    scimGroupsOf: deps.scimGroupsOf,
    ...(deps.findProposer ? { findProposer: deps.findProposer } : {}),
    ...(deps.isDisabled ? { isDisabled: deps.isDisabled } : {}),
  });
  // Built on first use: the session manager exists only once the pipeline does.
  let watcher: GrantWatcher | null = null;
  const grantWatcher = () =>
    (watcher ??= new GrantWatcher(grants, deps.sessions(), deps.config.approvals.poll, (err) =>
      logger.error({ err: toVigilError(err).message }, 'grant check failed'),
    ));

  const reloader = deps.configPath
    ? new PolicyReloader({
        path: deps.configPath,
        current: { policy: deps.config.policy, approvals: deps.config.approvals },
        apply: (nextPolicy, next) => {
          // Build everything first: a rule that does not compile leaves the old policy in force.
          const rules = new PolicyRules(nextPolicy, deps.describeAction);
          const nextNotifier = buildNotifier(next);
          deps.policy.replaceRules(rules);
          void notifier.flush();
          notifier = nextNotifier;
          approvals = next;
          policy = nextPolicy;
        },
        record: async (facts) => {
          const session = await deps.sessions().open({
            connection: 'vigil',
            protocol: 'config',
            identity: VIGIL_SYSTEM,
            key: 'config\u0000policy',
          });
          await deps.pipeline().observe(session, 'admin.action', {
            action: 'policy.reloaded',
            digest: facts.digest,
            rules: facts.rules,
          });
        },
        logger,
      })
    : null;

  return {
    grants,
    service,
    checkGrants: () => grantWatcher().check(),
    withdrawLapsed: (access) => (before, after) =>
      withdrawLapsedRequests(
        { access, approvalStore: deps.store, withdrawApproval: (id, why) => service.withdraw(id, why) },
        before,
        after,
      ),
    reloader,
    get notifier() {
      return notifier;
    },
    start() {
      service.start();
      grantWatcher().start();
      reloader?.start();
    },
    async stop() {
      reloader?.stop();
      watcher?.stop();
      service.stop();
      // Before the session manager ends whatever is live: a request settled on another replica, whose
      // notice has not reached this one yet, keeps the one end its settler records.
      await service.closeRequestSessions();
      await notifier.flush();
    },
  };
}
