// Schema migrations for the PostgreSQL store, in order. Never edit one that has shipped: add another.
// Text columns that are compared or ordered (ids, ISO times) use the "C" collation, so order is byte
// order whatever the database's locale, as in the SQLite store. Every text column holds exactly the
// text the ledger hashed; integers that can grow (positions, counts, versions) are bigint.

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE events (
    idx BIGINT PRIMARY KEY,
    session_id TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    time TEXT COLLATE "C" NOT NULL,
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
  CREATE INDEX events_purge_records ON events (idx) WHERE type = 'ledger.purged';
  -- The global log's size, one row: an append locks it, numbers its batch from it and moves it in
  -- the same transaction, so several writers get disjoint, gap-free positions (docs/adr/0007).
  CREATE TABLE ledger_head (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    size BIGINT NOT NULL CHECK (size >= 0)
  );
  INSERT INTO ledger_head (one, size) VALUES (TRUE, 0);
  -- A derived index for listings; the ledger (events, checkpoints) is the source of truth.
  CREATE TABLE sessions (
    id TEXT COLLATE "C" PRIMARY KEY,
    connection TEXT COLLATE "C" NOT NULL,
    protocol TEXT NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    identity TEXT NOT NULL,
    started_at TEXT COLLATE "C" NOT NULL,
    last_event_at TEXT COLLATE "C" NOT NULL,
    ended_at TEXT COLLATE "C",
    end_reason TEXT,
    event_count BIGINT NOT NULL,
    next_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL
  );
  CREATE INDEX sessions_subject ON sessions (subject, started_at);
  CREATE INDEX sessions_connection ON sessions (connection, started_at);
  CREATE INDEX sessions_started ON sessions (started_at);
  CREATE INDEX sessions_open ON sessions (started_at) WHERE ended_at IS NULL;
  CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    root TEXT NOT NULL,
    time TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
  );
  `,
  `
  -- Access state (not part of the ledger; every change is also recorded as an event by whoever makes it).
  CREATE TABLE access_meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
  INSERT INTO access_meta (key, value) VALUES ('version', 0), ('grants_version', 0);
  CREATE TABLE service_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    connections TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE revoked_tokens (id TEXT PRIMARY KEY, revoked_at TEXT NOT NULL);
  CREATE TABLE disabled_identities (
    subject TEXT PRIMARY KEY,
    disabled_at TEXT COLLATE "C" NOT NULL,
    reason TEXT NOT NULL
  );
  `,
  `
  -- Approvals and grants: working state shared by gateway replicas (the ledger records every change).
  CREATE TABLE approvals (
    id TEXT COLLATE "C" PRIMARY KEY,
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
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT NOT NULL,
    decided_at TEXT,
    action_digest TEXT
  );
  CREATE INDEX approvals_status ON approvals (status, created_at);
  -- ord keeps the order votes were cast in when two share a time.
  CREATE TABLE approval_votes (
    ord BIGSERIAL,
    approval_id TEXT NOT NULL REFERENCES approvals (id),
    reviewer_subject TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (approval_id, reviewer_subject)
  );
  CREATE TABLE grants (
    id TEXT COLLATE "C" PRIMARY KEY,
    subject TEXT NOT NULL,
    connection TEXT NOT NULL,
    approval_id TEXT,
    break_glass BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    revoked_at TEXT,
    revoked_by TEXT
  );
  CREATE INDEX grants_subject ON grants (subject, connection);
  `,
  `
  -- SCIM provisioning (src/scim): the provider's tokens (hashed), users and groups. user_name_key and
  -- name_key are the lower-cased names, unique, since SCIM compares userName and displayName
  -- case-insensitively. Working state: every change is recorded in the ledger by the SCIM service.
  CREATE TABLE scim_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);
  CREATE TABLE scim_users (
    id TEXT COLLATE "C" PRIMARY KEY,
    user_name TEXT NOT NULL,
    user_name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    active BOOLEAN NOT NULL,
    attributes TEXT NOT NULL,
    tokens_revoked_at TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
  );
  CREATE TABLE scim_groups (
    id TEXT COLLATE "C" PRIMARY KEY,
    display_name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    external_id TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
  );
  -- ord keeps members in the order they were given. No foreign keys, as in the SQLite store (which
  -- does not enforce its own): the SCIM service checks members, and deletes drop memberships.
  CREATE TABLE scim_members (
    ord BIGSERIAL,
    group_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (group_id, user_id)
  );
  `,
  `
  -- Replica leases (docs/scale-out.md): each gateway process holds a lease while it lives and owns
  -- the sessions it opened; once a lease lapses another replica adopts its open sessions and closes
  -- them. Times are the database server's clock, so the replicas' clocks need not agree. leases holds
  -- the named single-holder leases (the checkpoint signer's).
  ALTER TABLE sessions ADD COLUMN replica TEXT COLLATE "C";
  CREATE INDEX sessions_open_by_replica ON sessions (replica) WHERE ended_at IS NULL;
  CREATE TABLE replicas (
    id TEXT COLLATE "C" PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    boot_id TEXT NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
  `,
  `
  -- Change notifications (docs/scale-out.md): a committed change of access state, grants or
  -- approvals notifies channel vigil_changes with '<schema>:<topic>', whoever made it (a replica, the
  -- CLI), so the other replicas re-read at once; their polling stays as the fallback.
  CREATE FUNCTION notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_TABLE_NAME = 'access_meta' THEN
      PERFORM pg_notify('vigil_changes',
        TG_TABLE_SCHEMA || ':' || CASE WHEN NEW.key = 'grants_version' THEN 'grants' ELSE 'access' END);
    ELSE
      PERFORM pg_notify('vigil_changes', TG_TABLE_SCHEMA || ':' || TG_ARGV[0]);
    END IF;
    RETURN NULL;
  END $$;
  CREATE TRIGGER access_changed AFTER INSERT OR UPDATE ON access_meta
    FOR EACH ROW EXECUTE FUNCTION notify_change();
  CREATE TRIGGER approvals_changed AFTER INSERT OR UPDATE ON approvals
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('approvals');
  CREATE TRIGGER approval_votes_changed AFTER INSERT ON approval_votes
    FOR EACH STATEMENT EXECUTE FUNCTION notify_change('approvals');
  `,
  `
  -- SAML assertions already used to sign in (hashed issuer and id), shared by every replica so that
  -- a captured Response cannot be posted once to each; kept until they could not be accepted anyway.
  CREATE TABLE used_assertions (key TEXT PRIMARY KEY, until TEXT COLLATE "C" NOT NULL);
  `,
  `
  -- Records protocol modules keep and every replica shares (MCP tool pins), as JSON text.
  CREATE TABLE module_state (
    namespace TEXT COLLATE "C" NOT NULL,
    key TEXT COLLATE "C" NOT NULL,
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
  -- SCIM tokens expire and can be revoked (docs/identity.md#scim-tokens). A token issued before
  -- this had neither: it gets the longest lifetime a new token may have (365 days), counted from
  -- the upgrade, so none lives forever and none stops working the moment Vigil is upgraded.
  ALTER TABLE scim_tokens ADD COLUMN expires_at TEXT COLLATE "C";
  ALTER TABLE scim_tokens ADD COLUMN revoked_at TEXT;
  UPDATE scim_tokens SET expires_at =
    to_char((now() AT TIME ZONE 'UTC') + interval '365 days', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"');
  ALTER TABLE scim_tokens ALTER COLUMN expires_at SET NOT NULL;
  `,
  `
  -- A grant is for a user or for a service account, and the two may share a subject (docs/policy.md
  -- #grants-and-identity-kinds). A grant from before this column takes the kind of the requester of
  -- the request it came from, which the approvals row holds; one without that row (glass broken as
  -- the gateway stopped, before its review was written) is taken for a user's, since access requests
  -- and break-glass are people's acts far more often than a service account's.
  ALTER TABLE grants ADD COLUMN subject_kind TEXT;
  UPDATE grants g SET subject_kind = COALESCE(
    (SELECT a.requester::jsonb ->> 'kind' FROM approvals a WHERE a.id = g.approval_id), 'user');
  ALTER TABLE grants ALTER COLUMN subject_kind SET NOT NULL;
  `,
  `
  -- SCIM userName and displayName are unique without case, folded as Vigil folds subjects: ASCII
  -- letters only (core/events.ts, subjectKey). Keys were lower-cased with Unicode's rules, which map
  -- the Kelvin sign onto k: provisioning kate was refused as a clash with \u212Aate, whom Vigil treats
  -- as another person. lower() follows the locale here, so ASCII is folded by hand; keys distinct
  -- before stay distinct.
  UPDATE scim_users SET user_name_key =
    translate(user_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
  UPDATE scim_groups SET name_key =
    translate(display_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
  `,
  `
  -- The expiry sweep (src/policy/overdue-approvals.ts) pages through the pending requests by deadline
  -- on every replica at each approvals poll; without an index each page read every request ever
  -- made. Status first, then the sweep's own order (the deadline byte-wise, then id), so a page is one
  -- range of it with no sort. IF NOT EXISTS: an upgrade test that rewinds the schema runs it again.
  CREATE INDEX IF NOT EXISTS approvals_overdue ON approvals (status, (expires_at COLLATE "C"), id);
  `,
];
