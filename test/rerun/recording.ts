// The recording side of the re-run tests: the stand-in model answering the workloads' scripts, a
// real gateway in front of it, the configuration file the CLI reads (same data directory, same
// connections, so the same masker), and a session found by its x-vigil-session name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { StoredEvent } from '../../src/core/events.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { agentReply } from '../workloads/agent/model.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import type { StubServer } from '../workloads/openai-stub.js';
import { lastUserText } from '../workloads/scripted-model.js';

/** The credential Vigil injects upstream: a known secret the masker hides wherever it appears. */
export const UPSTREAM_KEY = 'upstream-key-7f3a9c41d2e8b6';

export interface Recording {
  readonly model: StubServer;
  readonly gateway: TestGateway;
  readonly configFile: string;
  readonly env: Record<string, string>;
}

export async function startRecording(): Promise<Recording> {
  let sample = 0;
  const model = await startWorkloadModel((request, choice) => {
    const system = request.messages[0]?.role === 'system' ? (request.messages[0].content ?? '') : '';
    if (system.includes('operations assistant')) return agentReply(request, choice);
    const prompt = lastUserText(request);
    if (prompt.startsWith('ECHO '))
      return { content: `choice ${choice} of ${request.n}: ${prompt.slice(5)}` };
    return { content: game24Reply(prompt, choice * 1000 + sample++) };
  });
  process.env.VIGIL_RERUN_UPSTREAM_KEY = UPSTREAM_KEY;
  const upstream = model.baseURL.replace(/\/v1$/, '');
  const connections = [
    { name: 'oa', type: 'llm-openai', upstream, credential: 'env:VIGIL_RERUN_UPSTREAM_KEY', allow: ['*'] },
    { name: 'an', type: 'llm-anthropic', upstream, credential: 'env:VIGIL_RERUN_UPSTREAM_KEY', allow: ['*'] },
  ];
  const gateway = await startTestGateway({ connections });
  // JSON is YAML: the CLI reads the same connections (their credentials are known secrets) and data.
  const configFile = join(gateway.dataDir, 'vigil.yaml');
  writeFileSync(configFile, JSON.stringify({ data: gateway.dataDir, log_level: 'silent', connections }));
  return { model, gateway, configFile, env: { VIGIL_RERUN_UPSTREAM_KEY: UPSTREAM_KEY } };
}

export async function sessionNamed(
  gateway: TestGateway,
  connection: string,
  name: string,
): Promise<{ id: string; events: StoredEvent[] }> {
  await gateway.recorder.drain();
  const sessions = await gateway.store.ledger.listSessions({ connection, search: name, limit: 1000 });
  for (const s of sessions) {
    const events = await gateway.store.ledger.readSession(s.id);
    if (events[0]?.payload?.external_session === name) return { id: s.id, events };
  }
  throw new Error(`no session ${name}`);
}

/** The one chat request `chatEcho` makes, recorded or re-run. */
export const ECHO_REQUEST = {
  model: 'demo',
  messages: [{ role: 'user' as const, content: 'ECHO the recorded answer' }],
};

/** Records one chat completion (ECHO_REQUEST unless told) through the gateway in its own session; its id. */
export async function recordEcho(rec: Recording, name: string, request = ECHO_REQUEST): Promise<string> {
  const client = new OpenAI({
    baseURL: `${rec.gateway.url}/c/oa/v1`,
    apiKey: TOKENS.alice,
    maxRetries: 0,
    defaultHeaders: { 'x-vigil-session': name },
  });
  await client.chat.completions.create(request);
  return (await sessionNamed(rec.gateway, 'oa', name)).id;
}
