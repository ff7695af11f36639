// The official openai or Anthropic client twice over one stand-in model: straight to it, and through
// a test gateway with one LLM connection; the tests compare the two and read the gateway's record.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type DemoModel, type DemoModelOptions, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from './gateway.js';

export interface ModelClients<Client> {
  readonly model: DemoModel;
  readonly gateway: TestGateway;
  readonly direct: Client;
  readonly viaVigil: Client;
  close(): Promise<void>;
}

interface Flavour<Client> {
  readonly type: 'llm-openai' | 'llm-anthropic';
  readonly env: string;
  client(baseURL: string, apiKey: string): Client;
  /** The client's base URL for a server root (the stand-in's, or a connection's). */
  base(root: string): string;
}

const OPENAI: Flavour<OpenAI> = {
  type: 'llm-openai',
  env: 'VIGIL_TEST_OPENAI_KEY',
  client: (baseURL, apiKey) => new OpenAI({ baseURL, apiKey, maxRetries: 0 }),
  base: (root) => `${root}/v1`,
};

const ANTHROPIC: Flavour<Anthropic> = {
  type: 'llm-anthropic',
  env: 'VIGIL_TEST_ANTHROPIC_KEY',
  client: (baseURL, apiKey) => new Anthropic({ baseURL, apiKey, maxRetries: 0 }),
  base: (root) => root,
};

/**
 * `connection`: the connection's name and any of its settings beyond type, upstream and credential
 * (`allow` defaults to everyone). Alice's token is the client's through the gateway.
 */
async function start<Client>(
  flavour: Flavour<Client>,
  upstreamKey: string,
  connection: { name: string } & Record<string, unknown>,
  modelOptions: Partial<DemoModelOptions> = {},
): Promise<ModelClients<Client>> {
  const model = await startDemoModel({ ...modelOptions, host: '127.0.0.1', port: 0, apiKey: upstreamKey });
  process.env[flavour.env] = upstreamKey;
  const gateway = await startTestGateway({
    connections: [
      {
        type: flavour.type,
        upstream: model.url,
        credential: `env:${flavour.env}`,
        allow: ['*'],
        ...connection,
      },
    ],
  });
  return {
    model,
    gateway,
    direct: flavour.client(flavour.base(model.url), upstreamKey),
    viaVigil: flavour.client(flavour.base(`${gateway.url}/c/${connection.name}`), TOKENS.alice),
    async close() {
      await gateway.close();
      await model.close();
    },
  };
}

/** `model`: options of the stand-in model (a `respond` hook), beside its address and key. */
export const startOpenAiClients = (
  upstreamKey: string,
  connection: { name: string } & Record<string, unknown>,
  model?: Partial<DemoModelOptions>,
) => start(OPENAI, upstreamKey, connection, model);

export const startAnthropicClients = (
  upstreamKey: string,
  connection: { name: string } & Record<string, unknown>,
  model?: Partial<DemoModelOptions>,
) => start(ANTHROPIC, upstreamKey, connection, model);
