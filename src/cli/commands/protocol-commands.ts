// The subcommands protocol modules add (`vigil mcp tools` …), registered from the protocol registry
// so the CLI names no protocol. They get the configuration, a way to record an administrative act in
// the ledger as the local operator, and the module state, never the rest of the store.
import { hostname, userInfo } from 'node:os';
import type { Command } from 'commander';
import { type Identity, type JsonObject, nowIso } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import { Recorder } from '../../ledger/recorder.js';
import { PROTOCOLS } from '../../protocols/index.js';
import type { ModuleCliContext } from '../../protocols/module.js';
import { loadCliConfig, openStore } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

async function recordAdminAction(program: Command, operator: string, facts: JsonObject): Promise<void> {
  const store = await openStore(loadCliConfig(program.opts()));
  try {
    const identity: Identity = { subject: operator, kind: 'user', groups: [] };
    const recorder = new Recorder(store.ledger);
    await recorder.init();
    const base = { sessionId: newId('s'), connection: 'cli', identity };
    await recorder.append(
      { ...base, type: 'session.start', time: nowIso(), payload: { protocol: 'cli' } },
      'cli',
    );
    await recorder.append({
      ...base,
      type: 'admin.action',
      time: nowIso(),
      payload: { ...facts, via: 'cli' },
    });
    await recorder.append({ ...base, type: 'session.end', time: nowIso(), payload: { reason: 'closed' } });
  } finally {
    await store.close();
  }
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const operator = `local:${userInfo().username}@${hostname()}`;
  const ctx: ModuleCliContext = {
    config: () => {
      const loaded = loadCliConfig(program.opts());
      return { connections: loaded.config.connections, dataDir: loaded.dataDir };
    },
    recordAdminAction: (facts) => recordAdminAction(program, operator, facts),
    async withModuleState(body) {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        return await body(store.moduleState);
      } finally {
        await store.close();
      }
    },
    operator,
    table,
    setExitCode,
  };
  for (const module of PROTOCOLS.modules) module.cli?.register(program, ctx);
}
