// `vigil mcp tools` and `vigil mcp approve-tool`: the tool pins of MCP connections. A tool whose
// definition changed since it was pinned (or a new tool held) is refused until an admin approves
// what the upstream now serves; the approval is recorded in the ledger (admin.action, with the
// diff) and takes effect on a running gateway at once (src/protocols/mcp/pin-store.ts).
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { type Identity, type JsonObject, nowIso } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import type { Store } from '../../core/ports.js';
import { Recorder } from '../../ledger/recorder.js';
import { approvePin, readPins, type ToolPin } from '../../protocols/mcp/pin-store.js';
import { diffDefinitions } from '../../protocols/mcp/tool-digest.js';
import { loadCliConfig, openStore } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

function statusOf(pin: ToolPin): string {
  if (!pin.approved) return 'held (new)';
  return pin.approved.digest === pin.seen.digest ? 'pinned' : 'changed';
}

function mcpConnections(program: Command): { names: string[]; dataDir: string } {
  const loaded = loadCliConfig(program.opts());
  return {
    names: loaded.config.connections.filter((c) => c.type === 'mcp').map((c) => c.name),
    dataDir: loaded.dataDir,
  };
}

async function recordApproval(store: Store, facts: JsonObject): Promise<void> {
  const identity: Identity = {
    subject: `local:${userInfo().username}@${hostname()}`,
    kind: 'user',
    groups: [],
  };
  const recorder = new Recorder(store);
  await recorder.init();
  const sessionId = newId('s');
  const base = { sessionId, connection: 'cli', identity };
  await recorder.append(
    { ...base, type: 'session.start', time: nowIso(), payload: { protocol: 'cli' } },
    'cli',
  );
  await recorder.append({ ...base, type: 'admin.action', time: nowIso(), payload: { ...facts, via: 'cli' } });
  await recorder.append({ ...base, type: 'session.end', time: nowIso(), payload: { reason: 'closed' } });
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const mcp = program.command('mcp').description('MCP connections: tool pins');
  mcp
    .command('tools')
    .description('list the pinned tools of MCP connections and those awaiting approval')
    .option('--connection <name>', 'only this connection')
    .option('--json', 'print JSON')
    .action((opts: { connection?: string; json?: boolean }) => {
      const { names, dataDir } = mcpConnections(program);
      const selected = opts.connection ? [opts.connection] : names;
      const pins = selected.flatMap((name) => readPins(dataDir, name));
      if (opts.json) {
        console.log(
          JSON.stringify(
            pins.map((p) => ({ ...p, status: statusOf(p) })),
            null,
            2,
          ),
        );
        return;
      }
      if (pins.length === 0) {
        console.log('no tools pinned yet');
        return;
      }
      console.log(
        table([
          ['CONNECTION', 'TOOL', 'STATUS', 'APPROVED DIGEST', 'SERVED DIGEST'],
          ...pins.map((p) => [
            p.connection,
            p.tool,
            statusOf(p),
            p.approved?.digest.slice(0, 16) ?? '-',
            p.seen.digest.slice(0, 16),
          ]),
        ]),
      );
      for (const p of pins.filter((pin) => statusOf(pin) !== 'pinned')) {
        console.log(`\n${p.connection}/${p.tool}:`);
        for (const d of diffDefinitions(p.approved?.definition ?? null, p.seen.definition)) {
          console.log(`  ${d.field}: ${JSON.stringify(d.before)} -> ${JSON.stringify(d.after)}`);
        }
      }
    });
  mcp
    .command('approve-tool <connection> <tool>')
    .description('approve the definition an MCP upstream now serves for a tool')
    .option('--digest <sha256>', 'approve only if the served definition has this digest')
    .action(async (connection: string, tool: string, opts: { digest?: string }) => {
      const { dataDir } = mcpConnections(program);
      const before = readPins(dataDir, connection).find((p) => p.tool === tool);
      if (!before) throw new VigilError('usage', `no tool ${tool} has been seen on connection ${connection}`);
      let approved: ToolPin;
      try {
        approved = approvePin(dataDir, connection, tool, `local:${userInfo().username}`, opts.digest);
      } catch (err) {
        setExitCode(1);
        console.error((err as Error).message);
        return;
      }
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        await recordApproval(store.ledger, {
          action: 'mcp.approve_tool',
          connection,
          tool,
          digest: approved.seen.digest,
          previous_digest: before.approved?.digest ?? null,
          diff: diffDefinitions(before.approved?.definition ?? null, approved.seen.definition).map((d) => ({
            field: d.field,
            before: d.before,
            after: d.after,
          })),
        });
      } finally {
        await store.close();
      }
      console.log(`approved ${connection}/${tool} at digest ${approved.seen.digest}`);
    });
}
