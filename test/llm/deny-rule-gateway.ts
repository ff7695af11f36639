// A gateway in front of the stand-in model with an OpenAI and an Anthropic connection and one deny
// rule (`no-exfil`), with the official SDK clients pointed at it: the set-up of the tests that send
// an attacker's requests and expect policy to stop them before the model.
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { type DemoModel, startDemoModel } from '../../src/demo-model/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

export interface DenyRuleGateway {
  readonly model: DemoModel;
  readonly gateway: TestGateway;
  readonly openai: OpenAI;
  readonly anthropic: Anthropic;
  /** Expects Vigil's 403 by no-exfil for `send`, with nothing reaching the model. */
  assertDenied(what: string, send: () => Promise<unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * `envName` carries the upstream key (the credential is an `env:` reference), so each test file
 * names its own and files running side by side do not share one.
 */
export async function startDenyRuleGateway(
  pattern: string,
  envName: string,
  upstreamKey: string,
): Promise<DenyRuleGateway> {
  const model = await startDemoModel({ host: '127.0.0.1', port: 0, apiKey: upstreamKey });
  process.env[envName] = upstreamKey;
  const connection = { upstream: model.url, credential: `env:${envName}`, allow: ['*'] };
  const gateway = await startTestGateway({
    connections: [
      { name: 'oa', type: 'llm-openai', ...connection },
      { name: 'an', type: 'llm-anthropic', ...connection },
    ],
    policy: { rules: [{ name: 'no-exfil', match: { pattern }, action: 'deny' }] },
  });
  return {
    model,
    gateway,
    openai: new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: `${gateway.url}/c/an`, apiKey: TOKENS.alice, maxRetries: 0 }),
    async assertDenied(what, send) {
      const reached = model.requests.length;
      await assert.rejects(send(), (err: unknown) => {
        assert.ok(
          err instanceof OpenAI.APIError || err instanceof Anthropic.APIError,
          `${what}: ${String(err)}`,
        );
        assert.equal(err.status, 403, what);
        assert.match(err.message, /rule no-exfil/, what);
        return true;
      });
      assert.equal(model.requests.length, reached, `${what}: the denied request did not reach the model`);
    },
    async close() {
      await gateway.close();
      await model.close();
      delete process.env[envName];
    },
  };
}
