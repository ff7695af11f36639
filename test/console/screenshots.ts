// Takes the screenshots in docs/console/ with the real console: a gateway with the stand-in model,
// a recorded Tree-of-Thoughts session, and an access request waiting in an auditor's inbox.
// Usage: node --import tsx test/console/screenshots.ts
import { mkdirSync } from 'node:fs';
import OpenAI from 'openai';
import { buildReasoningTree, outcomePath } from '../../src/reasoning/index.js';
import { startTestGateway, TOKENS } from '../support/gateway.js';
import { solveGame24 } from '../workloads/game24/bfs.js';
import { game24Reply } from '../workloads/game24/model.js';
import { startWorkloadModel } from '../workloads/model-server.js';
import { lastUserText } from '../workloads/scripted-model.js';
import { buildConsole, launchChromium, signInWithToken } from './support/browser.js';

const OUT = 'docs/console';
mkdirSync(OUT, { recursive: true });
let sample = 0;
const model = await startWorkloadModel((request, choice) => ({
  content: game24Reply(lastUserText(request), choice * 1000 + sample++),
}));
process.env.VIGIL_CONSOLE_DIR = buildConsole();
const gateway = await startTestGateway({
  connections: [
    { name: 'openai', type: 'llm-openai', upstream: model.baseURL.replace(/\/v1$/, ''), allow: ['*'] },
  ],
  approvals: { access_requests: { approvers: ['group:security'] } },
});
try {
  for (const [session, puzzle] of [
    ['game24-a', '4 5 6 10'],
    ['game24-b', '1 2 3 4'],
  ] as const) {
    const client = new OpenAI({
      baseURL: `${gateway.url}/c/openai/v1`,
      apiKey: TOKENS.alice,
      maxRetries: 0,
      defaultHeaders: { 'x-vigil-session': session },
    });
    await solveGame24(client, puzzle, { hints: false });
  }
  await fetch(`${gateway.url}/api/access-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.bob}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connection: 'openai', duration: '2h', reason: 'on call for the model rollout' }),
  });
  await gateway.recorder.drain();
  // The first puzzle's session (an access request also opens a session on the connection).
  let tot: { id: string } | undefined;
  for (const s of await gateway.store.ledger.listSessions({ connection: 'openai', limit: 10 })) {
    const [first] = await gateway.store.ledger.readSession(s.id);
    if (first?.payload?.external_session === 'game24-a') tot = s;
  }
  const tree = buildReasoningTree(await gateway.store.ledger.readSession(tot!.id));
  const target = outcomePath(tree).target;

  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  await signInWithToken(page, gateway.url, TOKENS.audrey);
  await page.goto(`${gateway.url}/sessions`);
  await page.getByTestId('session-row').first().waitFor();
  await page.screenshot({ path: `${OUT}/sessions.png` });
  await page.goto(`${gateway.url}/sessions/${tot!.id}?tab=tree&node=${encodeURIComponent(target)}`);
  await page.getByTestId('node-prompt').waitFor();
  await page.screenshot({ path: `${OUT}/tree.png` });
  await page.goto(`${gateway.url}/sessions/${tot!.id}?event=3`);
  await page.getByTestId('timeline').waitFor();
  await page.screenshot({ path: `${OUT}/timeline.png` });
  await page.goto(`${gateway.url}/approvals`);
  await page.getByTestId('approval').first().waitFor();
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.screenshot({ path: `${OUT}/approvals.png` });
  await browser.close();
  console.log(`screenshots written to ${OUT}/`);
} finally {
  await gateway.close();
  await model.close();
}
