// The model setup of the console's reasoning-tree tests: the console built, the demo model answering
// as `rules` script it, and a test gateway whose `oa` OpenAI connection reaches the model.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoModel, startDemoModel } from '../../../src/demo-model/index.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { buildConsole } from './browser.js';

export interface ScriptedModelGateway {
  readonly model: DemoModel;
  readonly gateway: TestGateway;
}

/** `tmpPrefix` names the temporary folder of the script file; `rules` are the demo model's rules. */
export async function startScriptedModelGateway(
  tmpPrefix: string,
  rules: readonly unknown[],
): Promise<ScriptedModelGateway> {
  process.env.VIGIL_CONSOLE_DIR = buildConsole();
  const script = join(mkdtempSync(join(tmpdir(), tmpPrefix)), 'script.yaml');
  writeFileSync(script, JSON.stringify({ rules }));
  const model = await startDemoModel({ host: '127.0.0.1', port: 0, script });
  try {
    const gateway = await startTestGateway({
      connections: [{ name: 'oa', type: 'llm-openai', upstream: model.url, allow: ['*'] }],
    });
    return { model, gateway };
  } catch (err) {
    await model.close();
    throw err;
  }
}
