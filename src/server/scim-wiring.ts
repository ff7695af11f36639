// Builds SCIM provisioning (src/scim) from the gateway's parts: the service over the access store,
// the enforcement that cuts sessions through the SessionManager and withdraws approvals through the
// approval service, and the /scim/v2 HTTP handler.
import type { VigilConfig } from '../core/config.js';
import type { StoreBundle } from '../core/ports.js';
import type { AccessState } from '../identity/access-state.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { SessionManager } from '../pipeline/sessions.js';
import { ScimEnforcement } from '../scim/enforcement.js';
import { ScimApi } from '../scim/scim-api.js';
import { ScimService } from '../scim/scim-service.js';
import type { ApprovalsWiring } from './approvals-wiring.js';
import { stillAllowedOn } from './still-allowed.js';

export interface ScimWiringDeps {
  readonly config: VigilConfig;
  readonly store: StoreBundle;
  readonly access: AccessState;
  readonly pipeline: Pipeline;
  readonly sessions: SessionManager;
  readonly approvals: ApprovalsWiring;
  readonly publicUrl: () => string;
}

export function wireScim(deps: ScimWiringDeps): ScimApi {
  const { config, store, pipeline, sessions, approvals } = deps;
  const enforcement = new ScimEnforcement({
    access: deps.access,
    accessStore: store.access,
    sessions,
    approvalStore: store.approvals,
    withdrawApproval: (id, reason) => approvals.service.withdraw(id, reason),
    revokeGrant: (id, by) => approvals.service.revokeGrant(id, by),
    stillAllowed: stillAllowedOn(config, pipeline),
  });
  return new ScimApi({
    service: new ScimService({ store: store.access, enforcement }),
    store: store.access,
    pipeline,
    sessions,
    maxBodyBytes: config.identity.scim.max_body_bytes,
    publicUrl: deps.publicUrl,
  });
}
