// `vigil demo-model`: run the stand-in model on its own, for trying a gateway configuration offline
// or for pointing a client at a scripted model.
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { startDemoModel } from '../../demo-model/index.js';
import { resolveSecret } from '../../server/load-config.js';
import type { SetExitCode } from './index.js';

interface DemoModelFlags {
  port: string;
  host: string;
  script?: string;
  apiKey?: string;
  chunkDelay: string;
  tokensPerChunk: string;
  latency: string;
}

export function register(program: Command, _setExitCode: SetExitCode): void {
  program
    .command('demo-model')
    .description('run the stand-in model (OpenAI and Anthropic wire formats, deterministic or scripted)')
    .option('--port <port>', 'port to listen on (0: any free port)', '9090')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--script <file>', 'JSON or YAML script of replies (see docs/demo-model.md)')
    .option('--api-key <ref>', 'require this key, as env:NAME or file:PATH')
    .option('--chunk-delay <ms>', 'wait between streamed chunks', '0')
    .option('--tokens-per-chunk <n>', 'tokens per streamed chunk', '1')
    .option('--latency <ms>', 'wait before answering any request', '0')
    .action(async (flags: DemoModelFlags) => {
      const port = nonNegative(flags.port, '--port');
      if (port > 65535) throw new VigilError('usage', `--port must be 65535 or less, got ${flags.port}`);
      const model = await startDemoModel({
        host: flags.host,
        port,
        script: flags.script,
        apiKey: flags.apiKey === undefined ? undefined : resolveSecret(flags.apiKey),
        chunkDelayMs: nonNegative(flags.chunkDelay, '--chunk-delay'),
        tokensPerChunk: Math.max(1, nonNegative(flags.tokensPerChunk, '--tokens-per-chunk')),
        latencyMs: nonNegative(flags.latency, '--latency'),
      }).catch((err: unknown) => {
        // A port in use (the default 9090 is a common one) is the user's to change, not a stack trace.
        if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
          throw new VigilError(
            'listen_in_use',
            `${flags.host}:${port} is in use by another process: stop it, or pick another --port (0: any free port)`,
          );
        throw err;
      });
      console.log(`Vigil demo model listening on ${model.url}`);
      console.log(`  OpenAI base URL:    ${model.url}/v1`);
      console.log(`  Anthropic base URL: ${model.url}`);
      console.log(
        flags.script ? `  script: ${flags.script}` : '  replies: deterministic defaults (no --script)',
      );
      console.log('Stop with Ctrl-C.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await model.close();
    });
}

function nonNegative(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new VigilError('usage', `${flag} must be a non-negative integer, got ${value}`);
  return n;
}
