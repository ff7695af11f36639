// The composition root: reads the configuration, builds the store, recorder, masker, pipeline and
// protocol adapters, recovers sessions a crash cut short, and starts the listeners.
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { AdminApi } from '../api/admin-api.js';
import { createAuthApi } from '../api/auth-api.js';
import { accessRoutes } from '../api/routes/access.js';
import { approvalRoutes } from '../api/routes/approvals.js';
import { recordingRoutes } from '../api/routes/recordings.js';
import { sessionRoutes } from '../api/routes/sessions.js';
import { whoamiRoute } from '../api/routes/whoami.js';
import type { VigilConfig } from '../core/config.js';
import { toVigilError, VigilError } from '../core/errors.js';
import { ANONYMOUS } from '../core/events.js';
import { type Store, type StoreBundle, systemClock } from '../core/ports.js';
import { sendJsonError as sendApiError, sendJson } from '../http/json-response.js';
import { decodePathSegment, parseRequestUrl } from '../http/request-path.js';
import { AccessState } from '../identity/access-state.js';
import { ConfigTokenAuthenticator } from '../identity/config-tokens.js';
import { GatewayAuthenticator } from '../identity/gateway-authenticator.js';
import { OidcAccessTokens } from '../identity/oidc-access-tokens.js';
import { loadOrCreateTokenKey } from '../identity/token-keys.js';
import { VigilTokens } from '../identity/vigil-tokens.js';
import { anchorPath, readAnchorText } from '../ledger/anchor.js';
import { exportBundle } from '../ledger/bundle.js';
import { Checkpointer } from '../ledger/checkpointer.js';
import { loadLedgerKeys } from '../ledger/keyring.js';
import { Recorder } from '../ledger/recorder.js';
import { verifyLedger } from '../ledger/verify.js';
import { logLineMasker } from '../mask/index.js';
import { createModuleContext } from '../pipeline/module-context.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { Policy } from '../pipeline/policy.js';
import { SessionManager } from '../pipeline/sessions.js';
import { PROTOCOLS } from '../protocols/index.js';
import type { ProtocolRegistry } from '../protocols/registry.js';
import { scimTokenRoutes } from '../scim/scim-token-route.js';
import { openStore } from '../store/index.js';
import { type ApprovalsWiring, wireApprovals } from './approvals-wiring.js';
import { buildMasker } from './build-masker.js';
import type { LoadedConfig } from './load-config.js';
import { resolveSecret } from './load-config.js';
import { createLogger } from './logger.js';
import { proposerLookup } from './proposer-lookup.js';
import { buildGuards, type ProtocolListener, startProtocols } from './protocol-modules.js';
import { RevocationWatcher } from './revocation-watcher.js';
import { wireScim } from './scim-wiring.js';
import { stillAllowedOn } from './still-allowed.js';

export interface Gateway {
  /** Base URL of the HTTP listener (data path, admin API). */
  readonly url: string;
  readonly port: number;
  readonly store: StoreBundle;
  readonly recorder: Recorder;
  readonly sessions: SessionManager;
  readonly logger: Logger;
  readonly vigilTokens: VigilTokens;
  readonly checkpointer: Checkpointer;
  readonly ledgerKeys: ReturnType<typeof loadLedgerKeys>;
  readonly admin: AdminApi;
  readonly approvals: ApprovalsWiring;
  /** Listeners of port-based protocols (databases, SSH), by connection. */
  readonly listeners: readonly ProtocolListener[];
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Override the configured listen address (tests use 127.0.0.1:0). */
  readonly listen?: string;
  readonly logDestination?: NodeJS.WritableStream;
  /** The protocol modules to serve (the registered ones by default; tests add their own). */
  readonly protocols?: ProtocolRegistry;
}

export async function startGateway(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
  const { config } = loaded;
  const protocols = options.protocols ?? PROTOCOLS;
  const baseDir = loaded.path ? dirname(loaded.path) : process.cwd();
  mkdirSync(loaded.dataDir, { recursive: true, mode: 0o700 });

  // Every secret Vigil holds is known to the masker before anything is logged or recorded.
  const credentials = new Map<string, string | null>();
  for (const c of config.connections)
    credentials.set(c.name, c.credential ? resolveSecret(c.credential, baseDir) : null);
  const oidcSecret = config.identity.oidc?.client_secret
    ? resolveSecret(config.identity.oidc.client_secret, baseDir)
    : null;
  const knownSecrets = [
    ...[...credentials].flatMap(([name, value]) => (value === null ? [] : [{ value, label: name }])),
    ...config.masking.secrets.map((ref) => ({
      value: resolveSecret(ref, baseDir),
      label: 'configured-secret',
    })),
    ...(oidcSecret ? [{ value: oidcSecret, label: 'oidc-client-secret' }] : []),
  ];
  const masker = buildMasker(config, loaded.dataDir, baseDir, knownSecrets);
  const logger = createLogger(config.log_level, logLineMasker(masker), options.logDestination);

  const store = await openStore(config, loaded.dataDir);
  const recorder = new Recorder(store.ledger);
  await recorder.init();
  const ledgerKeys = loadLedgerKeys(
    loaded.dataDir,
    config.ledger.signing_key
      ? resolveSecret(config.ledger.signing_key, baseDir)
      : process.env.VIGIL_LEDGER_SIGNING_KEY || undefined,
  );
  const checkpointer = new Checkpointer({
    store: store.ledger,
    recorder,
    signer: ledgerKeys.signer,
    intervalMs: config.ledger.checkpoint_interval,
    anchorFile: anchorPath(loaded.dataDir, config.ledger.anchor_file),
    webhook: config.ledger.anchor_webhook,
    source: store.eventSource,
    onError: (err, what) =>
      logger.error({ err: toVigilError(err).message, what }, 'ledger checkpoint problem'),
  });
  await checkpointer.start();

  const access = new AccessState(store.access);
  await access.refresh();
  const vigilTokens = new VigilTokens(loadOrCreateTokenKey(loaded.dataDir), config.identity.audience);
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
  });
  const sessions = new SessionManager(pipeline, systemClock, config.sessions.idle_timeout);
  await closeSessionsCutShort(store.ledger, recorder, pipeline, logger);
  sessions.start();
  const watcher = new RevocationWatcher(
    access,
    sessions,
    config.identity.revocation_poll,
    (err) => logger.error({ err: toVigilError(err).message }, 'revocation check failed'),
    stillAllowedOn(config, pipeline),
  );
  watcher.start();
  approvals.start();

  const admin = new AdminApi({
    pipeline,
    sessions,
    routes: (audit) => [
      whoamiRoute,
      ...sessionRoutes(store.ledger, audit),
      ...recordingRoutes({
        store: store.ledger,
        audit,
        exportBundle: (id) =>
          exportBundle(store.ledger, id, ledgerKeys.keyring, {
            checkpointNow: () => checkpointer.checkpointNow(),
            source: store.eventSource,
          }),
        verify: async () =>
          verifyLedger(store.eventSource, await store.ledger.listCheckpoints(), {
            keyring: ledgerKeys.keyring,
            anchorText: readAnchorText(anchorPath(loaded.dataDir, config.ledger.anchor_file)),
          }),
      }),
      ...approvalRoutes({
        approvals: approvals.service,
        store: store.approvals,
        connections: () => config.connections,
        applyNow: () => approvals.checkGrants(),
      }),
      ...accessRoutes({
        access: store.access,
        applyNow: () => watcher.check(),
        connectionNames: () => config.connections.map((c) => c.name),
      }),
      ...scimTokenRoutes(store.access, config.identity.scim.enabled),
    ],
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
    }),
  );
  const listeners: readonly ProtocolListener[] = running.listeners;

  let boundUrl = '';
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
    isDisabled: (subject) => access.isDisabled(subject),
    vigilTokens,
    pipeline,
    sessions,
  });

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    route(req, res).catch((err) => {
      logger.error({ err: toVigilError(err).message }, 'unhandled request failure');
      sendApiError(res, toVigilError(err));
    });
  });
  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    let m: RegExpExecArray | null;
    let name = '';
    try {
      url = parseRequestUrl(req.url);
      m = /^\/c\/([^/]+)(\/.*)?$/.exec(url.pathname);
      if (m) name = decodePathSegment(m[1]!);
    } catch (err) {
      // Such a target names no connection, so there is nothing to attribute a refusal to: answered, not recorded.
      req.resume();
      return sendApiError(res, toVigilError(err));
    }
    if (m) {
      const mount = running.http(name);
      if (!mount) {
        req.resume();
        return sendApiError(res, new VigilError('connection_unknown', `no HTTP connection named ${m[1]}`));
      }
      return mount(req, res, m[2] ?? '/', url.search);
    }
    if (url.pathname === '/healthz') {
      return sendJson(res, 200, {
        status: 'ok',
        ledger_size: recorder.size,
        checkpointed: checkpointer.checkpointedSize,
      });
    }
    if (url.pathname.startsWith('/api/')) return admin.handle(req, res, url);
    if (url.pathname.startsWith('/auth/')) return auth.handle(req, res, url);
    if (config.identity.scim.enabled && /^\/scim\/v2(\/|$)/.test(url.pathname))
      return scim.handle(req, res, url);
    req.resume();
    sendApiError(res, new VigilError('route_unknown', `no route for ${req.method} ${url.pathname}`));
  }

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
    { url, data: loaded.dataDir, connections: config.connections.map((c) => c.name) },
    'vigil started',
  );

  let closing: Promise<void> | null = null;
  return {
    url,
    port: address.port,
    store,
    recorder,
    sessions,
    logger,
    vigilTokens,
    checkpointer,
    ledgerKeys,
    admin,
    approvals,
    listeners,
    close() {
      closing ??= (async () => {
        watcher.stop();
        await approvals.stop();
        await closeServer(server);
        await auth.close();
        await running.close();
        await sessions.closeAll('shutdown');
        await recorder.drain();
        await checkpointer.stop();
        await store.close();
      })();
      return closing;
    },
  };
}

/** Sessions left open by a crash are closed with a session.end that says so. */
async function closeSessionsCutShort(store: Store, recorder: Recorder, pipeline: Pipeline, logger: Logger) {
  const open = await store.openSessions();
  for (const s of open) {
    await pipeline.observe(
      { sessionId: s.id, connection: s.connection, identity: s.identity ?? ANONYMOUS, protocol: s.protocol },
      'session.end',
      { reason: 'crash-recovered', incomplete: true, last_event_at: s.lastEventAt },
    );
    recorder.forget(s.id);
  }
  if (open.length > 0)
    logger.warn({ sessions: open.length }, 'closed sessions cut short by an earlier crash');
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2000).unref();
  });
}

export function splitHostPort(listen: string): [string, number] {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  return [host, Number(listen.slice(i + 1))];
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
    { subjectClaim: oidc.subject_claim, groupsClaim: oidc.groups_claim, roles: identity.roles },
  );
}
