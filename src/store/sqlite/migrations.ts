// Schema migrations for the SQLite store, applied in order inside one transaction each.
// Never edit a migration that has shipped: add a new one.

export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    idx INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    time TEXT NOT NULL,
    connection TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity TEXT NOT NULL,
    payload TEXT,
    payload_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (session_id, seq)
  );
  CREATE INDEX events_time ON events (time);
  -- A derived index for listings; the ledger (events, checkpoints) is the source of truth.
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    connection TEXT NOT NULL,
    protocol TEXT NOT NULL,
    subject TEXT NOT NULL,
    identity TEXT NOT NULL,
    started_at TEXT NOT NULL,
    last_event_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT,
    event_count INTEGER NOT NULL,
    next_seq INTEGER NOT NULL,
    last_hash TEXT NOT NULL
  );
  CREATE INDEX sessions_subject ON sessions (subject, started_at);
  CREATE INDEX sessions_connection ON sessions (connection, started_at);
  CREATE INDEX sessions_last ON sessions (last_event_at);
  CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    root TEXT NOT NULL,
    time TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
  );
  `,
  `
  -- Access state (not part of the ledger; every change is also recorded as an event by whoever makes it).
  CREATE TABLE access_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO access_meta (key, value) VALUES ('version', 0);
  CREATE TABLE service_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    connections TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE revoked_tokens (id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL);
  CREATE TABLE disabled_identities (subject TEXT PRIMARY KEY, disabled_at TEXT NOT NULL, reason TEXT NOT NULL);
  `,
  `
  -- Approvals and grants: working state shared by gateway replicas (the ledger records every change).
  CREATE TABLE approvals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    requester TEXT NOT NULL,
    connection TEXT NOT NULL,
    session_id TEXT NOT NULL,
    rule TEXT,
    reason TEXT NOT NULL,
    subject TEXT NOT NULL,
    approvers TEXT NOT NULL,
    required INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT
  );
  CREATE INDEX approvals_status ON approvals (status, created_at);
  CREATE TABLE approval_votes (
    approval_id TEXT NOT NULL REFERENCES approvals (id),
    reviewer_subject TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (approval_id, reviewer_subject)
  );
  CREATE TABLE grants (
    id TEXT PRIMARY KEY,
    subject TEXT NOT NULL,
    connection TEXT NOT NULL,
    approval_id TEXT,
    break_glass INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
  );
  CREATE INDEX grants_subject ON grants (subject, connection);
  INSERT INTO access_meta (key, value) VALUES ('grants_version', 0);
  `,
  `
  -- A held action's approval is bound to the digest of exactly what will run (core/action-digest.ts).
  -- Requests stored before this column existed have none, so their release is refused on a digest.
  ALTER TABLE approvals ADD COLUMN action_digest TEXT;
  `,
  `
  -- SCIM provisioning (src/scim): the provider's tokens (hashed), users and groups. user_name_key and
  -- name_key are the lower-cased names, unique, since SCIM compares userName and displayName
  -- case-insensitively. Working state: every change is recorded in the ledger by the SCIM service.
  CREATE TABLE scim_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
  CREATE TABLE scim_users (
    id TEXT PRIMARY KEY,
    user_name TEXT NOT NULL,
    user_name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    active INTEGER NOT NULL,
    attributes TEXT NOT NULL,
    tokens_revoked_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE scim_groups (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE scim_members (
    group_id TEXT NOT NULL REFERENCES scim_groups (id),
    user_id TEXT NOT NULL REFERENCES scim_users (id),
    PRIMARY KEY (group_id, user_id)
  );
  `,
  `
  -- Replica leases (docs/scale-out.md): each gateway process holds a lease while it lives and owns
  -- the sessions it opened; once a lease lapses another replica adopts its open sessions and closes
  -- them. Times are epoch milliseconds of this machine's clock. leases holds the named single-holder
  -- leases (the checkpoint signer's).
  ALTER TABLE sessions ADD COLUMN replica TEXT;
  CREATE INDEX sessions_open_by_replica ON sessions (replica) WHERE ended_at IS NULL;
  CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    boot_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at INTEGER NOT NULL);
  `,
  `
  -- SAML assertions already used to sign in (hashed issuer and id), shared by every replica so that
  -- a captured Response cannot be posted once to each; kept until they could not be accepted anyway.
  CREATE TABLE used_assertions (key TEXT PRIMARY KEY, until TEXT NOT NULL);
  `,
  `
  -- Records protocol modules keep and every replica shares (MCP tool pins), as JSON text.
  CREATE TABLE module_state (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (namespace, key)
  );
  `,
  `
  -- Large payloads kept in object storage (docs/object-storage.md): the object's key. Such a row's
  -- payload is NULL; payload_hash commits to the object's text exactly as to an inline payload.
  ALTER TABLE events ADD COLUMN payload_object TEXT;
  `,
  `
  -- Purge records, which every verification reads first: without an index that read scanned the
  -- whole log (about 0.6 us an event, on the verifying thread). Partial, so appends of other events
  -- do not write to it. The same index as the PostgreSQL store's.
  CREATE INDEX events_purge_records ON events (idx) WHERE type = 'ledger.purged';
  `,
  `
  -- SCIM tokens expire and can be revoked (docs/identity.md#scim-tokens). A token issued before
  -- this had neither: it gets the longest lifetime a new token may have (365 days), counted from
  -- the upgrade, so none lives forever and none stops working the moment Vigil is upgraded.
  ALTER TABLE scim_tokens ADD COLUMN expires_at TEXT;
  ALTER TABLE scim_tokens ADD COLUMN revoked_at TEXT;
  UPDATE scim_tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+365 days');
  `,
  `
  -- A grant is for a user or for a service account, and the two may share a subject (docs/policy.md
  -- #grants-and-identity-kinds). A grant from before this column takes the kind of the requester of
  -- the request it came from, which the approvals row holds; one without that row (glass broken as
  -- the gateway stopped, before its review was written) is taken for a user's, since access requests
  -- and break-glass are people's acts far more often than a service account's.
  ALTER TABLE grants ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'user';
  UPDATE grants SET subject_kind = COALESCE(
    (SELECT json_extract(a.requester, '$.kind') FROM approvals a WHERE a.id = grants.approval_id), 'user');
  `,
  `
  -- SCIM userName and displayName are unique without case, folded as Vigil folds subjects: ASCII
  -- letters only (core/events.ts, subjectKey). Keys were lower-cased with Unicode's rules, which map
  -- the Kelvin sign onto k: provisioning kate was refused as a clash with \u212Aate, whom Vigil treats
  -- as another person. SQLite's lower() folds ASCII only; keys distinct before stay distinct.
  UPDATE scim_users SET user_name_key = lower(user_name);
  UPDATE scim_groups SET name_key = lower(display_name);
  `,
  `
  -- The expiry sweep (src/policy/overdue-approvals.ts) pages through the pending requests by deadline
  -- at each approvals poll; without an index each page read every request ever made. Status first,
  -- then the sweep's own order, so a page is one range of it with no sort. The same index as the
  -- PostgreSQL store's.
  CREATE INDEX IF NOT EXISTS approvals_overdue ON approvals (status, expires_at, id);
  `,
];
