// A tiny OpenAI-compatible chat completions server over a scripted model, for the workloads until
// the project's demo model (src/demo-model) exists. It honours `n` and `stop` like the real API.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScriptedModel, ScriptedRequest } from './scripted-model.js';

export interface StubServer {
  readonly baseURL: string;
  close(): Promise<void>;
}

function applyStop(text: string, stop: unknown): string {
  const stops =
    typeof stop === 'string' ? [stop] : Array.isArray(stop) ? stop.filter((s) => typeof s === 'string') : [];
  let end = text.length;
  for (const s of stops) {
    const at = text.indexOf(s);
    if (at >= 0 && at < end) end = at;
  }
  return text.slice(0, end);
}

export async function startOpenAiStub(model: ScriptedModel): Promise<StubServer> {
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ScriptedRequest & {
        stop?: unknown;
        model?: string;
      };
      const n = typeof body.n === 'number' ? body.n : 1;
      const choices = Array.from({ length: n }, (_, index) => {
        const reply = model({ messages: body.messages, n }, index);
        const toolCalls = (reply.toolCalls ?? []).map((t, i) => ({
          id: `call_${counter}_${index}_${i}`,
          type: 'function',
          function: { name: t.name, arguments: t.arguments },
        }));
        return {
          index,
          message: {
            role: 'assistant',
            content: reply.content === null ? null : applyStop(reply.content, body.stop),
            ...(reply.reasoning !== undefined ? { reasoning_content: reply.reasoning } : {}),
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          },
          finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
        };
      });
      const response = {
        id: `chatcmpl-stub${++counter}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model ?? 'stub',
        choices,
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(response));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
