// The demo tool server over stdio: `node --import tsx src/demo/mcp-tools/stdio.ts ROOT` (or the
// built dist/demo/mcp-tools/stdio.js), the command an `upstream: stdio` connection spawns.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createDemoToolsServer } from './tools.js';

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith('--')) ?? process.env.VIGIL_DEMO_TOOLS_ROOT ?? process.cwd();
// `--require-secret`: refuse to start without VIGIL_DEMO_TOOLS_SECRET, so a test sees Vigil inject it.
if (args.includes('--require-secret') && !process.env.VIGIL_DEMO_TOOLS_SECRET) {
  process.stderr.write('VIGIL_DEMO_TOOLS_SECRET is not set\n');
  process.exit(3);
}
const { server } = createDemoToolsServer({ root });
await server.connect(new StdioServerTransport());
