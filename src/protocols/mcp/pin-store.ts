// Tool pins, one small JSON file per tool under <data>/mcp-pins/<connection>/: the definition an
// admin approved (or that was pinned at first sight) and the one the upstream last served. One file
// per tool, written whole and renamed into place, so the gateway pinning a new tool and
// `vigil mcp approve-tool` approving another never overwrite each other. Every pin, change and
// approval is also recorded in the ledger (mcp.tools, mcp.tool_changed, admin.action); these files
// are the fast index the gateway consults on each call, re-read when their mtime changes, so an
// approval made by the CLI takes effect on a running gateway at once. Replicas share pins by
// sharing the data directory (docs/mcp.md).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../core/events.js';

export interface PinnedDefinition {
  readonly digest: string;
  readonly definition: JsonObject;
  readonly at: string;
  /** Who approved it: `first-sight`, `new-tool`, or the admin. */
  readonly by?: string;
}

export interface ToolPin {
  readonly connection: string;
  readonly tool: string;
  /** What calls are checked against; null for a new tool held until approved. */
  readonly approved: PinnedDefinition | null;
  /** What the upstream served at its last listing. */
  readonly seen: PinnedDefinition;
}

export type PinStatus = 'pinned' | 'changed' | 'unapproved' | 'unknown';

export function pinDirectory(dataDir: string, connection: string): string {
  return join(dataDir, 'mcp-pins', connection);
}

function fileOf(dir: string, tool: string): string {
  return join(dir, `${createHash('sha256').update(tool).digest('hex').slice(0, 40)}.json`);
}

export function readPins(dataDir: string, connection: string): ToolPin[] {
  const dir = pinDirectory(dataDir, connection);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const pins: ToolPin[] = [];
  for (const name of names) {
    try {
      pins.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as ToolPin);
    } catch {
      // A file mid-rename or damaged by hand is skipped; the tool then reads as unknown and is re-pinned or held.
    }
  }
  return pins.sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
}

export function writePin(dataDir: string, pin: ToolPin): void {
  const dir = pinDirectory(dataDir, pin.connection);
  mkdirSync(dir, { recursive: true });
  const target = fileOf(dir, pin.tool);
  const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temp, JSON.stringify(pin));
  renameSync(temp, target);
}

/** Approves what the upstream last served for `tool` (optionally only if it has this digest). */
export function approvePin(
  dataDir: string,
  connection: string,
  tool: string,
  by: string,
  digest?: string,
): ToolPin {
  const pin = readPins(dataDir, connection).find((p) => p.tool === tool);
  if (!pin) throw new Error(`no tool ${tool} has been seen on connection ${connection}`);
  if (digest !== undefined && pin.seen.digest !== digest) {
    throw new Error(`tool ${tool} was last served with digest ${pin.seen.digest}, not ${digest}`);
  }
  const approved: ToolPin = { ...pin, approved: { ...pin.seen, at: new Date().toISOString(), by } };
  writePin(dataDir, approved);
  return approved;
}

/** The gateway's view of one connection's pins: cached per tool, re-read when its file changes. */
export class PinIndex {
  readonly #dataDir: string;
  readonly #connection: string;
  readonly #dir: string;
  readonly #cache = new Map<string, { mtimeMs: number; pin: ToolPin | null }>();

  constructor(dataDir: string, connection: string) {
    this.#dataDir = dataDir;
    this.#connection = connection;
    this.#dir = pinDirectory(dataDir, connection);
  }

  /** Whether any tool of this connection has been pinned (the first listing pins everything it sees). */
  hasAny(): boolean {
    try {
      return readdirSync(this.#dir).some((n) => n.endsWith('.json'));
    } catch {
      return false;
    }
  }

  get(tool: string): ToolPin | null {
    const file = fileOf(this.#dir, tool);
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      this.#cache.delete(tool);
      return null;
    }
    const cached = this.#cache.get(tool);
    if (cached && cached.mtimeMs === mtimeMs) return cached.pin;
    let pin: ToolPin | null = null;
    try {
      const read = JSON.parse(readFileSync(file, 'utf8')) as ToolPin;
      pin = read.tool === tool ? read : null;
    } catch {
      pin = null;
    }
    this.#cache.set(tool, { mtimeMs, pin });
    return pin;
  }

  put(pin: ToolPin): void {
    writePin(this.#dataDir, pin);
    this.#cache.delete(pin.tool);
  }

  /** What a call to `tool` with a definition of `digest` (the current pin's seen digest when omitted) meets. */
  status(tool: string): { status: PinStatus; pin: ToolPin | null } {
    const pin = this.get(tool);
    if (!pin) return { status: 'unknown', pin };
    if (!pin.approved) return { status: 'unapproved', pin };
    return { status: pin.approved.digest === pin.seen.digest ? 'pinned' : 'changed', pin };
  }

  get connection(): string {
    return this.#connection;
  }
}
