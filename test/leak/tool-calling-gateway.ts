// The stand-in model answering every request with one tool call, behind a logged gateway's `oa`
// connection, for one test file: the leak tests of what a model's tool-call arguments carry.
import { after, before } from 'node:test';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { type LoggedGateway, startLoggedGateway } from './logged-gateway.js';

/** Started before the file's tests, closed after them; `g()` is the gateway once started. */
export function toolCallingGatewayForFile(
  name: string,
  call: { readonly name: string; readonly arguments: Record<string, unknown> },
): () => LoggedGateway {
  const key = `sk-upstream-${name}-0123456789`;
  const env = `VIGIL_LEAK_${name.toUpperCase().replace(/-/g, '_')}`;
  let model: DemoModel | undefined;
  let g: LoggedGateway | undefined;
  before(async () => {
    model = await startDemoModel({
      host: '127.0.0.1',
      port: 0,
      apiKey: key,
      respond: () => ({ toolCalls: [call] }),
    });
    process.env[env] = key;
    g = await startLoggedGateway({
      connections: [
        { name: 'oa', type: 'llm-openai', upstream: model.url, credential: `env:${env}`, allow: ['*'] },
      ],
    });
  });
  after(async () => {
    await g?.gateway.close();
    await model?.close();
  });
  return () => {
    if (!g) throw new Error('the tool-calling gateway has not started');
    return g;
  };
}
