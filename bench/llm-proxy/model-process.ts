// The stand-in model in a process of its own, for benchmarks. argv[2]: JSON options.
import { startDemoModel } from '../../src/demo-model/index.js';

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const model = await startDemoModel({ host: '127.0.0.1', port: 0, ...options });
process.stdout.write(`${JSON.stringify({ url: model.url })}\n`);
process.on('SIGTERM', () => void model.close().then(() => process.exit(0)));
