// Tool pins: per MCP connection, the definition of each tool an admin approved (or that was pinned
// at first sight) and the one the upstream last served. Kept in the store's module state (namespace
// `mcp-pins/<connection>`, one record per tool, written whole), which every replica shares, so a tool
// pinned or approved through one replica is pinned or approved on all. Every pin, change and
// approval is also recorded in the ledger (mcp.tools, mcp.tool_changed, admin.action). The gateway
// consults its in-memory view on each call and re-reads it at least every second, and at once
// before it refuses a call or decides a listing (docs/mcp.md).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JsonObject } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/ports.js';

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

/** How old the gateway's view of the pins may be when a call is checked against it. */
const FRESH_MS = 1000;

export function pinNamespace(connection: string): string {
  return `mcp-pins/${connection}`;
}

export async function readPins(state: ModuleStateStore, connection: string): Promise<ToolPin[]> {
  const records = await state.list(pinNamespace(connection));
  return records
    .map((r) => r.value as unknown as ToolPin)
    .sort((a, b) => (a.tool < b.tool ? -1 : a.tool > b.tool ? 1 : 0));
}

export function writePin(state: ModuleStateStore, pin: ToolPin): Promise<void> {
  return state.put(pinNamespace(pin.connection), pin.tool, pin as unknown as JsonObject);
}

/** Approves what the upstream last served for `tool` (optionally only if it has this digest). */
export async function approvePin(
  state: ModuleStateStore,
  connection: string,
  tool: string,
  by: string,
  digest?: string,
): Promise<ToolPin> {
  const pin = (await state.get(pinNamespace(connection), tool)) as ToolPin | null;
  if (!pin) throw new Error(`no tool ${tool} has been seen on connection ${connection}`);
  if (digest !== undefined && pin.seen.digest !== digest) {
    throw new Error(`tool ${tool} was last served with digest ${pin.seen.digest}, not ${digest}`);
  }
  const approved: ToolPin = { ...pin, approved: { ...pin.seen, at: new Date().toISOString(), by } };
  await writePin(state, approved);
  return approved;
}

/**
 * The pins an earlier version kept as files under <data>/mcp-pins/<connection>/, read once to move
 * them into the store.
 */
function legacyPinFiles(dataDir: string, connection: string): ToolPin[] {
  const dir = join(dataDir, 'mcp-pins', connection);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const pins: ToolPin[] = [];
  for (const name of names) {
    try {
      const pin = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ToolPin;
      if (pin.connection === connection && typeof pin.tool === 'string') pins.push(pin);
    } catch {
      // A damaged file is left behind; its tool reads as unknown and is re-pinned or held.
    }
  }
  return pins;
}

/** The gateway's view of one connection's pins, read from the store and kept fresh. */
export class PinIndex {
  readonly #state: ModuleStateStore;
  readonly #connection: string;
  #pins = new Map<string, ToolPin>();
  #readAt = Number.NEGATIVE_INFINITY;

  constructor(state: ModuleStateStore, connection: string) {
    this.#state = state;
    this.#connection = connection;
  }

  /** Reads the pins; a connection with none in the store takes over the files an earlier version kept. */
  async load(dataDir: string): Promise<void> {
    await this.fresh(0);
    if (this.#pins.size > 0) return;
    const legacy = legacyPinFiles(dataDir, this.#connection);
    for (const pin of legacy) await writePin(this.#state, pin);
    if (legacy.length > 0) await this.fresh(0);
  }

  /** Re-reads the store if the view is older than `maxAgeMs` (0: now). */
  async fresh(maxAgeMs = FRESH_MS): Promise<void> {
    if (performance.now() - this.#readAt < maxAgeMs) return;
    const started = performance.now();
    const pins = await readPins(this.#state, this.#connection);
    this.#pins = new Map(pins.map((p) => [p.tool, p]));
    this.#readAt = started;
  }

  /** Whether any tool of this connection has been pinned (the first listing pins everything it sees). */
  hasAny(): boolean {
    return this.#pins.size > 0;
  }

  get(tool: string): ToolPin | null {
    return this.#pins.get(tool) ?? null;
  }

  async put(pin: ToolPin): Promise<void> {
    await writePin(this.#state, pin);
    this.#pins.set(pin.tool, pin);
  }

  /** What a call to `tool` meets, by the current view. */
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
