// The subcommands protocol modules add (`vigil mcp tools` …), registered from the protocol registry
// so the CLI names no protocol. They get the configuration, a way to record an administrative act in
// the ledger as the local operator, and the module state, never the rest of the store.
import type { Command } from 'commander';
import type { JsonObject } from '../../core/events.js';
import { PROTOCOLS } from '../../protocols/index.js';
import type { ModuleCliContext } from '../../protocols/module.js';
import { loadCliConfig, openStore } from '../context.js';
import { table } from '../format.js';
import { localOperator, OperatorSession } from '../operator-session.js';
import type { SetExitCode } from './index.js';

async function recordAdminAction(program: Command, facts: JsonObject): Promise<void> {
  const store = await openStore(loadCliConfig(program.opts()));
  try {
    const session = await OperatorSession.open(store.ledger);
    await session.record('admin.action', { ...facts, via: 'cli' });
    await session.close();
  } finally {
    await store.close();
  }
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const operator = localOperator().subject;
  const ctx: ModuleCliContext = {
    config: () => {
      const loaded = loadCliConfig(program.opts());
      return { connections: loaded.config.connections, dataDir: loaded.dataDir };
    },
    recordAdminAction: (facts) => recordAdminAction(program, facts),
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
