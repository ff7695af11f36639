// The admin API and the routes it serves, wired to the gateway's parts: sessions and recordings
// (trees, bundles, verification), approvals and grants, SIEM status, access and SCIM tokens.
import { AdminApi } from '../api/admin-api.js';
import { accessRoutes } from '../api/routes/access.js';
import { approvalRoutes } from '../api/routes/approvals.js';
import { recordingRoutes } from '../api/routes/recordings.js';
import { sessionRoutes } from '../api/routes/sessions.js';
import { siemRoutes } from '../api/routes/siem.js';
import { terminalRoutes } from '../api/routes/terminal.js';
import type { TreeReader } from '../api/routes/tree-reader.js';
import { whoamiRoute } from '../api/routes/whoami.js';
import type { VigilConfig } from '../core/config.js';
import type { StoreBundle } from '../core/ports.js';
import { anchorPath, readAnchorText } from '../ledger/anchor.js';
import { exportBundle } from '../ledger/bundle.js';
import type { Checkpointer } from '../ledger/checkpointer.js';
import type { loadLedgerKeys } from '../ledger/keyring.js';
import { proveOffThread } from '../ledger/log-proofs-off-thread.js';
import { verifyLedger } from '../ledger/verify.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { liveGrantsOf, revokeGrants } from '../policy/disabled-grants.js';
import { scimTokenRoutes } from '../scim/scim-token-route.js';
import type { SiemService } from '../siem/siem-service.js';
import { eventSourceOpener } from '../store/event-source-opener.js';
import type { ApprovalsWiring } from './approvals-wiring.js';

export interface AdminWiringDeps {
  readonly config: VigilConfig;
  readonly dataDir: string;
  /** Where relative paths in the configuration are read from (the store's TLS files). */
  readonly baseDir: string;
  readonly store: StoreBundle;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly trees: TreeReader;
  readonly ledgerKeys: ReturnType<typeof loadLedgerKeys>;
  readonly checkpointer: Checkpointer;
  readonly approvals: ApprovalsWiring;
  readonly siem: SiemService;
  /** Applies access changes (revocations, disabled users) at once rather than at the next poll. */
  readonly checkAccessNow: () => Promise<void>;
  /** The gateway's public URL (identity.public_url, else the bound address): names the console cookie. */
  readonly publicUrl: () => string;
}

export function wireAdminApi(deps: AdminWiringDeps): AdminApi {
  const { config, store, ledgerKeys, approvals } = deps;
  // A session's export and check prove its events against the whole log: off the event loop.
  const proveLog = proveOffThread(eventSourceOpener(config, deps.dataDir, deps.baseDir));
  return new AdminApi({
    pipeline: deps.pipeline,
    sessions: deps.sessions,
    publicUrl: deps.publicUrl,
    routes: (audit) => [
      whoamiRoute,
      ...sessionRoutes(store.ledger, audit),
      ...terminalRoutes(store.ledger, audit),
      ...recordingRoutes({
        store: store.ledger,
        audit,
        trees: deps.trees,
        exportBundle: (id, limits) =>
          exportBundle(store.ledger, id, ledgerKeys.keyring, {
            checkpointNow: () => deps.checkpointer.checkpointNow(),
            source: store.eventSource,
            prove: proveLog,
            ...limits,
          }),
        verify: async () =>
          verifyLedger(store.eventSource, await store.ledger.listCheckpoints(), {
            keyring: ledgerKeys.keyring,
            anchorText: readAnchorText(anchorPath(deps.dataDir, config.ledger.anchor_file)),
            // One worker reads and checks the log off the event loop, which only stitches its ranges
            // together; the other core stays with the traffic the gateway is serving.
            parallel: { reader: eventSourceOpener(config, deps.dataDir, deps.baseDir), workers: 1 },
          }),
      }),
      ...approvalRoutes({
        approvals: approvals.service,
        store: store.approvals,
        connections: () => config.connections,
        applyNow: () => approvals.checkGrants(),
        changes: store.changes,
      }),
      ...siemRoutes(() => deps.siem.status()),
      ...accessRoutes({
        access: store.access,
        applyNow: deps.checkAccessNow,
        connectionNames: () => config.connections.map((c) => c.name),
        // Through the service SCIM's deprovisioning uses: the same record, revoked by the admin.
        revokeGrantsOf: async (subject, by) =>
          revokeGrants(await liveGrantsOf(store.approvals, subject, new Date().toISOString()), (g) =>
            approvals.service.revokeGrant(g.id, by),
          ),
      }),
      ...scimTokenRoutes(store.access, config.identity.scim.enabled),
    ],
  });
}
