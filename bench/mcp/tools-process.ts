// The demo MCP tool server in its own process for the benchmark: prints {"url": ...} once it listens.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoToolsHttp } from '../../src/demo/mcp-tools/server.js';

const token = process.argv[2]!;
const server = await startDemoToolsHttp({ root: mkdtempSync(join(tmpdir(), 'vigil-bench-tools-')), token });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
