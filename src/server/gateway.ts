// The composition root: reads the configuration, builds the store, recorder, masker, pipeline and
// protocol adapters, recovers sessions a crash cut short, and starts the listeners.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { AdminApi } from '../api/admin-api.js';
import { createAuthApi } from '../api/auth-api.js';
import { consoleSessionRoutes } from '../api/console-session.js';
import { revokeConsoleToken } from '../api/console-sign-out.js';
import type { TreeReader } from '../api/routes/tree-reader.js';
import { DEFAULT_CONSOLE_DIR } from '../console/console-files.js';
import { consoleHandler } from '../console/console-handler.js';
import type { VigilConfig } from '../core/config.js';
import { toVigilError } from '../core/errors.js';
import { type StoreBundle, systemClock } from '../core/ports.js';
import { sendJsonError as sendApiError } from '../http/json-response.js';
import { AccessState } from '../identity/access-state.js';
import { ConfigTokenAuthenticator } from '../identity/config-tokens.js';
import { GatewayAuthenticator } from '../identity/gateway-authenticator.js';
import { OidcAccessTokens } from '../identity/oidc-access-tokens.js';
import { SignInStates } from '../identity/sign-in-states.js';
import { loadOrCreateTokenKey } from '../identity/token-keys.js';
import { VigilTokens } from '../identity/vigil-tokens.js';
import type { Checkpointer } from '../ledger/checkpointer.js';
import { Recorder } from '../ledger/recorder.js';
import { logLineMasker } from '../mask/index.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { metricsEndpoint } from '../metrics/metrics-endpoint.js';
import { createModuleContext } from '../pipeline/module-context.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Policy } from '../pipeline/policy.js';
import { SessionManager } from '../pipeline/sessions.js';
import { PROTOCOLS } from '../protocols/index.js';
import type { ProtocolRegistry } from '../protocols/registry.js';
import { openStore } from '../store/index.js';
import { type SessionTracer, startTracing } from '../tracing/index.js';
import { wireAdminApi } from './admin-wiring.js';
import { closeAdoptedSessions } from './adopted-sessions.js';
import { type ApprovalsWiring, disabledNow, wireApprovals } from './approvals-wiring.js';
import { buildMasker } from './build-masker.js';
import { resolveGatewaySecrets } from './gateway-secrets.js';
import { boundHttpConnections, closeServer, httpServerTimeouts, splitHostPort } from './http-listen.js';
import { routeRequests } from './http-routes.js';
import { type LedgerFollowers, startLedgerFollowers } from './ledger-wiring.js';
import type { LoadedConfig } from './load-config.js';
import { resolveSecret } from './load-config.js';
import { createLogger } from './logger.js';
import { proposerLookup } from './proposer-lookup.js';
import { buildGuards, type ProtocolListener, startProtocols } from './protocol-modules.js';
import { ReplicaMembership } from './replica-membership.js';
import { RevocationWatcher } from './revocation-watcher.js';
import { wireScim } from './scim-wiring.js';
import { stillAllowedOn } from './still-allowed.js';
import { wireTrees } from './trees/wire-trees.js';

export interface Gateway {
  /** Base URL of the HTTP listener (data path, admin API). */
  readonly url: string;
  readonly port: number;
  readonly store: StoreBundle;
  /** This process as a replica on the store: its lease and the id its sessions are owned by. */
  readonly replica: ReplicaMembership;
  readonly recorder: Recorder;
  readonly sessions: SessionManager;
  readonly logger: Logger;
  /** The reasoning trees the console reads, built in their own thread. */
  readonly trees: TreeReader;
  readonly vigilTokens: VigilTokens;
  readonly checkpointer: Checkpointer;
  readonly ledgerKeys: LedgerFollowers['ledgerKeys'];
  readonly admin: AdminApi;
  readonly approvals: ApprovalsWiring;
  /** Listeners of port-based protocols (databases, SSH), by connection. */
  readonly listeners: readonly ProtocolListener[];
  /** The OTLP trace export (docs/tracing.md), when the configuration has a `tracing` section. */
  readonly tracing: SessionTracer | null;
  /** Forwarders of ledger events to the configured SIEM sinks. */
  readonly siem: LedgerFollowers['siem'];
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Override the configured listen address (tests use 127.0.0.1:0). */
  readonly listen?: string;
  readonly logDestination?: NodeJS.WritableStream;
  /** The protocol modules to serve (the registered ones by default; tests add their own). */
  readonly protocols?: ProtocolRegistry;
  /** Where the built web console is (VIGIL_CONSOLE_DIR, else dist/web-console). */
  readonly consoleDir?: string;
}

/** The most pending approval requests one scrape reads: the gauge says "at least" beyond it. */
const MAX_PENDING_READ = 10_000;

export async function startGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const protocols = options.protocols ?? PROTOCOLS;
  const baseDir = loaded.path ? dirname(loaded.path) : process.cwd();
  mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });

  // Every secret Vigil holds is known to the masker before anything is logged or recorded.
  const {
    credentials,
    oidcClientSecret: oidcSecret,
    samlPrivateKey: samlKey,
    scrapeToken,
    tracingHeaders,
    knownSecrets,
  } = resolveGatewaySecrets(config, baseDir);
  // Off, nothing observes: the pipeline skips its timing and the masker its hook.
  const metrics = config.metrics.enabled ? new GatewayMetrics() : null;
  const masker = buildMasker(config, loaded.dataDir, baseDir, knownSecrets, metrics?.maskReplaced, protocols);
  const logger = createLogger(config.log_level, logLineMasker(masker), options.logDestination);

  const store = await openStore(config, loaded.dataDir, baseDir);
  // One replica of however many share the store: it owns the sessions it opens, and writes only
  // while its lease surely holds.
  const membership: ReplicaMembership = new ReplicaMembership({
    leases: store.replicas,
    leaseMs: config.replica.lease,
    closeAdopted: (adopted, by): Promise<void> =>
      closeAdoptedSessions(adopted, by, recorder, pipeline, logger),
    onLeaseLost: () => {
      logger.error('this gateway lost its replica lease; another replica closed its sessions');
      sessions.abandonAll();
    },
    onError: (err, what) => logger.error({ err: toVigilError(err).message, what }, 'replica lease problem'),
  });
  await membership.join();
  const recorder: Recorder = new Recorder(store.ledger, {
    replica: (): string => membership.id,
    fence: () => membership.assertHeld(),
  });
  await recorder.init();
  if (metrics) recorder.onCommit(metrics.committed);
  // Subscribed before any session can end, crash-recovered ones included.
  const tracing = config.tracing
    ? startTracing(config.tracing, {
        onCommit: (listener) => recorder.onCommit(listener),
        readSession: (id) => store.ledger.readSession(id),
        headers: tracingHeaders,
        logger,
      })
    : null;
  const { ledgerKeys, checkpointer, witnesses, siem } = await startLedgerFollowers({
    loaded,
    baseDir,
    store,
    recorder,
    membership,
    logger,
  });

  const access = new AccessState(store.access);
  await access.refresh();
  const tokenKey = loadOrCreateTokenKey(loaded.dataDir);
  const vigilTokens = new VigilTokens(tokenKey, config.identity.audience);
  const policy = new Policy(await buildGuards(protocols, config));
  const approvals = await wireApprovals({
    config,
    configPath: loaded.path,
    baseDir,
    store: store.approvals,
    policy,
    pipeline: () => pipeline,
    sessions: () => sessions,
    clock: systemClock,
    logger,
    describeAction: protocols.describeAction,
    isDisabled: disabledNow(access, store.access),
    scimGroupsOf: (subject) => access.scim.groupsFor(subject, []),
    findProposer: proposerLookup(
      store.ledger,
      // Model turns come from the connections whose module submits model requests.
      new Set(
        config.connections
          .filter((c) => protocols.moduleFor(c.type)?.actionEvents.includes('llm.request'))
          .map((c) => c.name),
      ),
    ),
  });
  const pipeline = new Pipeline({
    approver: approvals.service,
    grants: approvals.grants,
    authenticator: new GatewayAuthenticator({
      staticTokens: new ConfigTokenAuthenticator(config.identities),
      vigilTokens,
      accessStore: store.access,
      access,
      ...(config.identity.oidc?.accept_access_tokens
        ? { accessTokens: oidcAccessTokens(config.identity, oidcSecret) }
        : {}),
    }),
    masker,
    recorder,
    policy,
    clock: systemClock,
    onRecordFailure: config.on_record_failure,
    logger,
    ...(metrics ? { observer: metrics } : {}),
  });
  const sessions = new SessionManager(pipeline, systemClock, config.sessions.idle_timeout);
  await membership.start();
  sessions.start();
  const watcher = new RevocationWatcher(
    access,
    sessions,
    config.identity.revocation_poll,
    (err) => logger.error({ err: toVigilError(err).message }, 'revocation check failed'),
    stillAllowedOn(config, pipeline),
    approvals.withdrawLapsed(access),
  );
  watcher.start();
  approvals.start();
  // Changes committed by other replicas or the CLI are acted on at once where the store tells of
  // them (PostgreSQL's LISTEN/NOTIFY); the polls above stay as the fallback.
  const stopListening = store.changes.subscribe((topic) => {
    if (topic === 'access') void watcher.check();
    else if (topic === 'grants') void approvals.checkGrants();
    else void approvals.service.poll();
  });
  metrics?.watch({
    ledgerSize: () => recorder.size,
    checkpointedSize: () => checkpointer.checkpointedSize,
    pendingApprovals: () => store.approvals.listApprovals({ status: 'pending', limit: MAX_PENDING_READ }),
    liveSessions: () => sessions.liveSessions(),
    now: () => systemClock.now(),
  });
  const scrape = metrics
    ? metricsEndpoint(metrics, { scrapeToken, authenticate: (token) => pipeline.authenticate(token) })
    : null;

  const trees = wireTrees(config, store.ledger, loaded.dataDir, baseDir, recorder, logger);
  let boundUrl = '';
  const admin = wireAdminApi({
    config,
    dataDir: loaded.dataDir,
    baseDir,
    store,
    pipeline,
    sessions,
    trees: trees.reader,
    ledgerKeys,
    checkpointer,
    approvals,
    siem,
    checkAccessNow: () => watcher.check(),
    publicUrl: () => config.identity.public_url ?? boundUrl,
  });
  const running = await startProtocols(
    protocols,
    config,
    createModuleContext({
      pipeline,
      sessions,
      logger,
      credentials,
      resolveSecret: (ref) => resolveSecret(ref, baseDir),
      maxBodyBytes: config.max_body_bytes,
      dataDir: loaded.dataDir,
      moduleState: store.moduleState,
    }),
    metrics ?? undefined,
  );
  const listeners: readonly ProtocolListener[] = running.listeners;

  const scim = wireScim({
    config,
    store,
    access,
    pipeline,
    sessions,
    approvals,
    publicUrl: () => config.identity.public_url ?? boundUrl,
  });
  const auth = await createAuthApi({
    identity: config.identity,
    publicUrl: () => config.identity.public_url ?? boundUrl,
    clientSecret: oidcSecret,
    saml: { baseDir, spPrivateKey: samlKey, usedAssertions: store.access },
    isDisabled: (subject) => access.isDisabled(subject, 'user'),
    credentialPredatesDeactivation: (subject, issuedAt) =>
      access.scim.tokenPredatesDeactivation(subject, issuedAt),
    vigilTokens,
    signInStates: SignInStates.forReplicas(tokenKey.privateKey, store.access),
    pipeline,
    sessions,
  });

  const consoleSession = consoleSessionRoutes({
    pipeline,
    sessions,
    oidc: config.identity.oidc !== undefined && config.identity.oidc !== null,
    publicUrl: () => config.identity.public_url ?? boundUrl,
    revokeConsoleToken: (token) =>
      revokeConsoleToken(
        {
          pipeline,
          sessions,
          tokens: vigilTokens,
          revoke: (id, at) => store.access.revokeToken(id, at),
          applyNow: () => watcher.check(),
        },
        token,
      ),
  });
  const route = routeRequests({
    connection: (name) => running.http(name),
    wellKnown: (name) => running.wellKnown(name),
    health: () => ({
      status: 'ok',
      ledger_size: recorder.size,
      checkpointed: checkpointer.checkpointedSize,
      siem: siem
        .status()
        .map((s) => ({ name: s.name, cursor: s.cursor, lag: s.lag, last_error: s.last_error })),
    }),
    checkpointNote: () => witnesses.checkpointNote(),
    metrics: scrape,
    admin: (req, res, url) => admin.handle(req, res, url),
    auth: (req, res, url) =>
      /^\/auth\/console(\/|$)/.test(url.pathname)
        ? consoleSession(req, res, url)
        : auth.handle(req, res, url),
    scim: config.identity.scim.enabled ? (req, res, url) => scim.handle(req, res, url) : null,
    console: consoleHandler(options.consoleDir ?? (process.env.VIGIL_CONSOLE_DIR || DEFAULT_CONSOLE_DIR)),
  });
  const server = createServer(
    { keepAliveTimeout: 65_000, ...httpServerTimeouts(config.listeners) },
    (req, res) => {
      route(req, res).catch((err) => {
        logger.error({ err: toVigilError(err).message }, 'unhandled request failure');
        sendApiError(res, toVigilError(err));
      });
    },
  );
  const stopHttpBurstLog = boundHttpConnections(server, config.listeners, logger, metrics ?? undefined);
  const [host, port] = splitHostPort(options.listen ?? config.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  boundUrl = url;

  logger.info(
    { url, data: loaded.dataDir, connections: config.connections.map((c) => c.name), replica: membership.id },
    'vigil started',
  );

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    store,
    replica: membership,
    recorder,
    sessions,
    logger,
    vigilTokens,
    checkpointer,
    ledgerKeys,
    trees: trees.reader,
    admin,
    approvals,
    listeners,
    tracing,
    siem,
    close() {
      closing ??= (async () => {
        stopListening();
        watcher.stop();
        await approvals.stop();
        await closeServer(server);
        stopHttpBurstLog();
        await auth.close();
        await running.close();
        await sessions.closeAll('shutdown');
        await recorder.drain();
        await trees.close();
        // The sessions shutdown ended are exported (briefly) while the store is still open.
        await tracing?.close();
        // Sinks get what was recorded, for a bounded time: an unacknowledged batch is resent at the next start.
        await siem.stop(config.siem.flush_timeout);
        await checkpointer.stop();
        await witnesses.settle();
        await membership.leave();
        await store.close();
      })();
      return closing;
    },
  };
}

/** The verifier of provider-issued access tokens, with the sign-in's provider settings and claim mapping. */
function oidcAccessTokens(identity: VigilConfig['identity'], clientSecret: string | null): OidcAccessTokens {
  const oidc = identity.oidc!;
  return new OidcAccessTokens(
    {
      issuer: oidc.issuer,
      clientId: oidc.client_id,
      clientSecret,
      scopes: oidc.scopes,
      allowInsecureHttp: oidc.allow_insecure_http,
    },
    {
      subjectClaim: oidc.subject_claim,
      requireVerifiedEmail: oidc.require_verified_email,
      groupsClaim: oidc.groups_claim,
      roles: identity.roles,
    },
  );
}
