// The SCIM resources' operations on the store (create, read, replace, patch, delete, list) and what
// each change means for access: a user made inactive or deleted is deprovisioned, a user removed
// from a group is re-checked, a re-activated user gets back the right to sign in and nothing else.
// Writes run one at a time (read, change, write), so concurrent PATCHes never lose a member.
import { randomUUID } from 'node:crypto';
import { VigilError } from '../core/errors.js';
import { type JsonObject, sameSubject } from '../core/events.js';
import type { AccessStore, ScimGroupRecord, ScimUserRecord } from '../core/ports.js';
import { describeCause, type ScimCause, type ScimEnforcement } from './enforcement.js';
import { applyPatch } from './patch.js';
import {
  type GroupInput,
  groupDocument,
  readGroupInput,
  readUserInput,
  type UserInput,
  userDocument,
} from './resources.js';
import { GROUP_SHAPE, scimInvalid, USER_SHAPE } from './scim-schema.js';

/** Disabled-identity reasons written by SCIM start with this, so a re-activation lifts only its own. */
export const SCIM_REASON_PREFIX = 'scim: ';

export interface ScimServiceDeps {
  readonly store: AccessStore;
  readonly enforcement: ScimEnforcement;
  readonly now?: () => number;
}

export type WriteCause = Omit<ScimCause, 'scimId'>;

export class ScimService {
  readonly #deps: ScimServiceDeps;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: ScimServiceDeps) {
    this.#deps = deps;
  }

  #now(): string {
    return new Date((this.#deps.now ?? Date.now)()).toISOString();
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const write = async () => {
      try {
        return await work();
      } finally {
        await this.#deps.enforcement.refresh();
      }
    };
    const run = this.#queue.then(write, write);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  users(): Promise<ScimUserRecord[]> {
    return this.#deps.store.listScimUsers();
  }

  groups(): Promise<ScimGroupRecord[]> {
    return this.#deps.store.listScimGroups();
  }

  async user(id: string): Promise<ScimUserRecord> {
    const found = (await this.users()).find((u) => u.id === id);
    if (!found)
      throw new VigilError('scim_not_found', 'no SCIM user has this id', { details: { scimType: null } });
    return found;
  }

  async group(id: string): Promise<ScimGroupRecord> {
    const found = (await this.groups()).find((g) => g.id === id);
    if (!found)
      throw new VigilError('scim_not_found', 'no SCIM group has this id', { details: { scimType: null } });
    return found;
  }

  createUser(body: JsonObject, cause: WriteCause): Promise<ScimUserRecord> {
    return this.#serial(async () => {
      const input = readUserInput(body, { requireSchemas: true, activeWhenAbsent: true });
      const now = this.#now();
      // UUIDs, as providers expect and the masker knows for identifiers (a random token-like id would be masked in the ledger).
      const id = randomUUID();
      // Someone deleted over SCIM and created again: the old tokens stay void (a new sign-in is needed).
      const disabled = (await this.#deps.store.disabledIdentities()).find(
        (d) => sameSubject(d.subject, input.userName) && d.reason.startsWith(SCIM_REASON_PREFIX),
      );
      const record: ScimUserRecord = {
        id,
        ...input,
        tokensRevokedAt: disabled ? now : null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await this.#deps.store.putScimUser(record);
      // From now on SCIM, not the tokens' claims, says which managed groups this person holds.
      if (record.active) await this.#deps.enforcement.recheck({ ...cause, scimId: id });
      await this.#applyActive(null, record, { ...cause, scimId: id });
      return record;
    });
  }

  replaceUser(id: string, body: JsonObject, cause: WriteCause): Promise<ScimUserRecord> {
    return this.#serial(async () => {
      const before = await this.user(id);
      const input = readUserInput(body, { requireSchemas: false, activeWhenAbsent: before.active });
      return this.#writeUser(before, input, cause);
    });
  }

  patchUser(id: string, body: JsonObject, cause: WriteCause): Promise<ScimUserRecord> {
    return this.#serial(async () => {
      const before = await this.user(id);
      const doc = applyPatch(userDocument(before), USER_SHAPE, body, before.id);
      return this.#writeUser(
        before,
        readUserInput(doc, { requireSchemas: false, activeWhenAbsent: before.active }),
        cause,
      );
    });
  }

  async #writeUser(before: ScimUserRecord, input: UserInput, cause: WriteCause): Promise<ScimUserRecord> {
    if (!sameSubject(input.userName, before.userName)) {
      // A new userName is a new Vigil subject: the old one's sessions would keep running under a name
      // nobody provisions any more, so a rename is refused; providers deprovision and create instead.
      throw scimInvalid('mutability', 'userName cannot be changed; deprovision and create the user again');
    }
    const now = this.#now();
    const deactivating = before.active && !input.active;
    const after: ScimUserRecord = {
      ...before,
      ...input,
      tokensRevokedAt: deactivating ? now : before.tokensRevokedAt,
      updatedAt: now,
      version: before.version + 1,
    };
    await this.#deps.store.putScimUser(after);
    await this.#applyActive(before, after, { ...cause, scimId: before.id });
    return after;
  }

  /** Keeps the disabled-identity list in step with `active` and deprovisions on the way down. */
  async #applyActive(before: ScimUserRecord | null, after: ScimUserRecord, cause: ScimCause): Promise<void> {
    const { store, enforcement } = this.#deps;
    if (!after.active && (before === null || before.active)) {
      // The stored `active: false` already disables the subject (AccessState reads it); nothing else
      // is written before the cut, so the cut waits for one commit only.
      await enforcement.deprovision(after.userName, cause);
    } else if (after.active && (before === null || !before.active)) {
      // Only SCIM's own disabling is lifted: one made by an admin with `vigil users disable` stands
      // (in any spelling of the subject's case, as the gateway refuses every spelling).
      const disabled = (await store.disabledIdentities()).filter((d) =>
        sameSubject(d.subject, after.userName),
      );
      if (disabled.length > 0 && disabled.every((d) => d.reason.startsWith(SCIM_REASON_PREFIX)))
        for (const d of disabled) await store.enableIdentity(d.subject);
    }
  }

  deleteUser(id: string, cause: WriteCause): Promise<void> {
    return this.#serial(async () => {
      const before = await this.user(id);
      const full: ScimCause = { ...cause, scimId: id };
      await this.#deps.store.deleteScimUser(id);
      // A deleted person stays disabled: nothing provisions them any more, and a token they hold must stop working.
      await this.#deps.store.disableIdentity(
        before.userName,
        this.#now(),
        `${SCIM_REASON_PREFIX}${describeCause(full)}`,
      );
      await this.#deps.enforcement.deprovision(before.userName, full);
    });
  }

  createGroup(body: JsonObject, cause: WriteCause): Promise<ScimGroupRecord> {
    return this.#serial(async () => {
      const input = await this.#checkedGroup(readGroupInput(body, { requireSchemas: true }));
      const now = this.#now();
      const record: ScimGroupRecord = {
        id: randomUUID(),
        ...input,
        createdAt: now,
        updatedAt: now,
        version: 1,
      };
      await this.#deps.store.putScimGroup(record);
      // A new managed group can take the same group name away from tokens that claimed it.
      await this.#deps.enforcement.recheck({ ...cause, scimId: record.id });
      return record;
    });
  }

  replaceGroup(id: string, body: JsonObject, cause: WriteCause): Promise<ScimGroupRecord> {
    return this.#serial(async () =>
      this.#writeGroup(await this.group(id), readGroupInput(body, { requireSchemas: false }), cause),
    );
  }

  patchGroup(id: string, body: JsonObject, cause: WriteCause): Promise<ScimGroupRecord> {
    return this.#serial(async () => {
      const before = await this.group(id);
      const doc = applyPatch(groupDocument(before), GROUP_SHAPE, body, before.id);
      return this.#writeGroup(before, readGroupInput(doc, { requireSchemas: false }), cause);
    });
  }

  async #writeGroup(before: ScimGroupRecord, raw: GroupInput, cause: WriteCause): Promise<ScimGroupRecord> {
    const input = await this.#checkedGroup(raw);
    const after: ScimGroupRecord = {
      ...before,
      ...input,
      updatedAt: this.#now(),
      version: before.version + 1,
    };
    await this.#deps.store.putScimGroup(after);
    // Everyone whose groups this changed (joined, left, or the group renamed under them) is re-checked.
    await this.#deps.enforcement.recheck({ ...cause, scimId: before.id });
    return after;
  }

  deleteGroup(id: string, cause: WriteCause): Promise<void> {
    return this.#serial(async () => {
      await this.group(id);
      await this.#deps.store.deleteScimGroup(id);
      await this.#deps.enforcement.recheck({ ...cause, scimId: id });
    });
  }

  /** Members must be provisioned users (RFC 7644 §3.3: an unknown member is invalidValue). */
  async #checkedGroup(input: GroupInput): Promise<GroupInput> {
    const known = new Set((await this.users()).map((u) => u.id));
    const unknown = input.members.filter((m) => !known.has(m));
    if (unknown.length > 0)
      throw scimInvalid('invalidValue', `${unknown.length} member(s) name no provisioned user`);
    return input;
  }
}
