// The demo's MCP server, built with the official SDK: a few file tools confined to one directory
// and a few math tools. The same server runs over streamable HTTP (server.ts) and over stdio
// (stdio.ts), so it is the upstream of the demo's `tools` connection and of the tests.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

export interface DemoToolsOptions {
  /** The directory the file tools may touch. */
  readonly root: string;
}

export interface DemoTools {
  readonly server: McpServer;
  readonly tools: Readonly<Record<string, RegisteredTool>>;
}

function inside(root: string, path: string): string {
  const full = resolve(root, path);
  if (full !== resolve(root) && !full.startsWith(resolve(root) + sep))
    throw new Error('path outside the root');
  return full;
}

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });

export function createDemoToolsServer(options: DemoToolsOptions): DemoTools {
  const server = new McpServer({ name: 'vigil-demo-tools', version: '0.1.0' });
  const tools = {
    add: server.registerTool(
      'add',
      {
        description: 'Adds two numbers.',
        inputSchema: { a: z.number(), b: z.number() },
        outputSchema: { sum: z.number() },
        annotations: { readOnlyHint: true },
      },
      async ({ a, b }) => ({ ...text(String(a + b)), structuredContent: { sum: a + b } }),
    ),
    multiply: server.registerTool(
      'multiply',
      { description: 'Multiplies two numbers.', inputSchema: { a: z.number(), b: z.number() } },
      async ({ a, b }) => text(String(a * b)),
    ),
    list_files: server.registerTool(
      'list_files',
      {
        description: 'Lists the files in a directory under the root.',
        inputSchema: { path: z.string().default('.') },
      },
      async ({ path }) => text((await readdir(inside(options.root, path))).sort().join('\n')),
    ),
    read_file: server.registerTool(
      'read_file',
      { description: 'Reads a text file under the root.', inputSchema: { path: z.string() } },
      async ({ path }) => text(await readFile(inside(options.root, path), 'utf8')),
    ),
    write_file: server.registerTool(
      'write_file',
      {
        description: 'Writes a text file under the root.',
        inputSchema: { path: z.string(), content: z.string() },
      },
      async ({ path, content }) => {
        await writeFile(inside(options.root, path), content);
        return text(`wrote ${Buffer.byteLength(content)} bytes to ${path}`);
      },
    ),
    sleep: server.registerTool(
      'sleep',
      {
        description: 'Waits up to 60 seconds, reporting progress each 100 ms when asked to.',
        inputSchema: { ms: z.number().int().min(0).max(60_000) },
      },
      async ({ ms }, extra) => {
        const token = extra._meta?.progressToken;
        for (let waited = 0; waited < ms; waited += 100) {
          if (extra.signal.aborted) break;
          if (token !== undefined) {
            await extra.sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: waited, total: ms },
            });
          }
          await new Promise((r) => setTimeout(r, Math.min(100, ms - waited)));
        }
        return text(`slept ${ms} ms`);
      },
    ),
  };
  server.registerResource('readme', 'demo://readme', { description: 'What this server is' }, async (uri) => ({
    contents: [{ uri: uri.href, text: 'The Vigil demo tool server: file and math tools.' }],
  }));
  server.registerPrompt(
    'summarize',
    { description: 'Asks for a summary of a file', argsSchema: { path: z.string() } },
    ({ path }) => ({ messages: [{ role: 'user', content: { type: 'text', text: `Summarize ${path}.` } }] }),
  );
  return { server, tools };
}
