// `vigil start`: run the gateway from vigil.yaml, or the offline demo setup when there is none.

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toVigilError, VigilError } from '../../core/errors.js';
import {
  DEMO_PG_PASSWORD_ENV,
  DEMO_SSH_KEY_ENV,
  DEMO_SSH_LISTEN,
  demoBanner,
  demoConfig,
  demoToolsKey,
  demoUpstreamKey,
} from '../../demo/demo-config.js';
import { type DemoPostgres, startDemoPostgres } from '../../demo/demo-postgres.js';
import { type DemoSshHost, startDemoSshHost } from '../../demo/demo-ssh-host.js';
import { startDemoModel } from '../../demo-model/index.js';
import { startGateway } from '../../server/gateway.js';
import { keepServingOnUnhandledRejection } from '../../server/unhandled-rejections.js';
import { loadCliConfig, locateConfig } from '../context.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('start')
    .description('start the gateway (with no vigil.yaml: an offline demo setup with a stand-in model)')
    .option('--listen <host:port>', 'override the listen address')
    .option('--no-postgres', 'demo setup: leave out the demo PostgreSQL')
    .option('--no-ssh', 'demo setup: leave out the demo SSH host')
    .action(async (opts: { listen?: string; postgres?: boolean; ssh?: boolean }) => {
      const globals = program.opts<{ config?: string; data?: string }>();
      const stops: (() => Promise<void>)[] = [];
      try {
        if (locateConfig(globals)) {
          const gateway = await startGateway(loadCliConfig(globals), { listen: opts.listen });
          stops.push(() => gateway.close());
          const release = keepServingOnUnhandledRejection(gateway.logger);
          stops.push(async () => release());
          console.log(`Vigil is running on ${gateway.url}`);
        } else {
          const model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: demoUpstreamKey() });
          stops.push(() => model.close());
          // The demo MCP tool server: its file tools work in a scratch directory of their own.
          const toolsRoot = join(tmpdir(), 'vigil-demo-files');
          mkdirSync(toolsRoot, { recursive: true });
          writeFileSync(join(toolsRoot, 'README.txt'), 'Files the demo MCP tools may read and write.\n');
          // Loaded only for the demo: the MCP SDK takes a while to load, and every other command would pay for it.
          const { startDemoToolsHttp } = await import('../../demo/mcp-tools/server.js');
          const tools = await startDemoToolsHttp({ root: toolsRoot, token: demoToolsKey() });
          stops.push(() => tools.close());
          const postgres = opts.postgres === false ? null : await startDemoPostgresOrWarn();
          if (postgres) {
            process.env[DEMO_PG_PASSWORD_ENV] = postgres.password;
            stops.push(() => postgres.close());
          }
          const sshHost = opts.ssh === false ? null : await startDemoSshHostOrWarn();
          if (sshHost) {
            process.env[DEMO_SSH_KEY_ENV] = sshHost.privateKey;
            stops.push(() => sshHost.close());
          }
          const demo = demoConfig(model.url, {
            listen: opts.listen,
            dataDir: globals.data,
            postgresUrl: postgres?.url,
            toolsUrl: tools.url,
            sshUpstream: sshHost?.address,
          });
          const gateway = await startGateway(demo);
          stops.unshift(() => gateway.close());
          const release = keepServingOnUnhandledRejection(gateway.logger);
          stops.push(async () => release());
          console.log(
            demoBanner(gateway.url, demo.dataDir, postgres !== null, sshHost ? DEMO_SSH_LISTEN : null),
          );
        }
      } catch (err) {
        // What had started is stopped, and the process ends: a gateway that failed half-way holds
        // listeners, workers and timers that would keep it running with nothing served.
        for (const s of stops) await s().catch(() => undefined);
        const error = startFailure(err);
        console.error(`vigil: ${error.message} [${error.code}]`);
        process.exit(2);
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      for (const s of stops) await s();
    });
}

/** The demo database is a convenience: without it the demo still runs, minus the PostgreSQL connection. */
async function startDemoPostgresOrWarn(): Promise<DemoPostgres | null> {
  try {
    return await startDemoPostgres(join(tmpdir(), 'vigil-demo-postgres'));
  } catch (err) {
    console.error(
      `vigil: the demo PostgreSQL did not start (${(err as Error).message}); continuing without it`,
    );
    return null;
  }
}

/** The demo SSH host, like the demo database, is a convenience the demo can run without. */
async function startDemoSshHostOrWarn(): Promise<DemoSshHost | null> {
  try {
    return await startDemoSshHost();
  } catch (err) {
    console.error(
      `vigil: the demo SSH host did not start (${(err as Error).message}); continuing without it`,
    );
    return null;
  }
}

/** A listener's address taken by another process, as a stable error; anything else as it is. */
function startFailure(err: unknown): VigilError {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.code === 'EADDRINUSE') {
    return new VigilError(
      'listen_in_use',
      `${e.address ?? ''}:${e.port ?? ''} is in use by another process: stop it, or move Vigil's listener there (--listen for HTTP, the connection's listen in vigil.yaml; in the demo --no-postgres or --no-ssh)`,
    );
  }
  return toVigilError(err);
}
