// The subcommands protocol modules add (`vigil mcp tools` …), registered from the protocol registry
// so the CLI names no protocol. They get the configuration, a way to record an administrative act in
// the ledger as the local operator, and the module state, never the rest of the store.
// `vigil --help` registers these commands as they are (only the protocol registry knows their names),
// so what they need only to run (the configuration, the store) is loaded when one runs.
import type { Command } from 'commander';
import type { JsonObject } from '../../core/events.js';
import { PROTOCOLS } from '../../protocols/index.js';
import type { ModuleCliContext } from '../../protocols/module.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

interface Runtime {
  readonly context: typeof import('../context.js');
  readonly operators: typeof import('../operator-session.js');
}

async function recordAdminAction(runtime: Runtime, program: Command, facts: JsonObject): Promise<void> {
  const store = await runtime.context.openStore(runtime.context.loadCliConfig(program.opts()));
  try {
    const session = await runtime.operators.OperatorSession.open(store.ledger);
    await session.record('admin.action', { ...facts, via: 'cli' });
    await session.close();
  } finally {
    await store.close();
  }
}

export function register(program: Command, setExitCode: SetExitCode): void {
  let loaded: Runtime | null = null;
  // Every action of the program waits for this first (commander runs an ancestor's hooks too).
  program.hook('preAction', async () => {
    loaded ??= { context: await import('../context.js'), operators: await import('../operator-session.js') };
  });
  const runtime = (): Runtime => {
    if (!loaded) throw new Error('a protocol command ran before its preAction hook');
    return loaded;
  };
  const ctx: ModuleCliContext = {
    config: () => {
      const config = runtime().context.loadCliConfig(program.opts());
      return { connections: config.config.connections, dataDir: config.dataDir };
    },
    recordAdminAction: (facts) => recordAdminAction(runtime(), program, facts),
    async withModuleState(body) {
      const { context } = runtime();
      const store = await context.openStore(context.loadCliConfig(program.opts()));
      try {
        return await body(store.moduleState);
      } finally {
        await store.close();
      }
    },
    get operator() {
      return runtime().operators.localOperator().subject;
    },
    table,
    setExitCode,
  };
  for (const module of PROTOCOLS.modules) module.cli?.register(program, ctx);
}
