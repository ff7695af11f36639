// `vigil start`: run the gateway from vigil.yaml, or the offline demo setup when there is none.
import type { Command } from 'commander';
import { startDemoModel } from '../../demo-model/index.js';
import { DEMO_UPSTREAM_KEY_ENV, demoBanner, demoConfig } from '../../server/demo.js';
import { startGateway } from '../../server/gateway.js';
import { loadCliConfig, locateConfig } from '../context.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('start')
    .description('start the gateway (with no vigil.yaml: an offline demo setup with a stand-in model)')
    .option('--listen <host:port>', 'override the listen address')
    .action(async (opts: { listen?: string }) => {
      const globals = program.opts<{ config?: string; data?: string }>();
      const stops: (() => Promise<void>)[] = [];
      if (locateConfig(globals)) {
        const gateway = await startGateway(loadCliConfig(globals), { listen: opts.listen });
        stops.push(() => gateway.close());
        console.log(`Vigil is running on ${gateway.url}`);
      } else {
        process.env[DEMO_UPSTREAM_KEY_ENV] ??= `sk-demo-${Math.random().toString(36).slice(2)}${Date.now()}`;
        const model = await startDemoModel({
          host: '127.0.0.1',
          port: 0,
          apiKey: process.env[DEMO_UPSTREAM_KEY_ENV],
        });
        stops.push(() => model.close());
        const gateway = await startGateway(
          demoConfig(model.url, { listen: opts.listen, dataDir: globals.data }),
        );
        stops.unshift(() => gateway.close());
        console.log(demoBanner(gateway.url));
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      for (const s of stops) await s();
    });
}
