import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SettingReports } from './setting-reports.js';

// What the client forwards (an Execute, a Sync, a Query) and what the server answers (ReadyForQuery,
// one per Sync or Query, in order), interleaved as a pipeline allows.
type Step = 'execute' | 'sync' | 'query' | 'ready';

test('property: an execution is unreported exactly until the ReadyForQuery of the Sync or Query that ends it', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.constantFrom<Step>('execute', 'sync', 'query', 'ready'), { maxLength: 40 }),
      async (steps) => {
        const reports = new SettingReports();
        // The reference model: each execution, and whether a forwarded Sync/Query ends it and is answered.
        let open = 0;
        const waiting: number[] = [];
        for (const step of steps) {
          if (step === 'execute') {
            reports.executed();
            open++;
          } else if (step === 'sync' || step === 'query') {
            reports.readyRequested(step === 'query');
            waiting.push(open + (step === 'query' ? 1 : 0));
            open = 0;
          } else if (waiting.length > 0) {
            reports.ready();
            waiting.shift();
          } else continue; // the server answers nothing it was not asked
          const expected = open + waiting.reduce((a, b) => a + b, 0);
          assert.equal(reports.unreported, expected);
          assert.equal(reports.batchOpen, open > 0);
        }
        // Once every Sync and Query is answered, only the open batch's executions are unreported,
        // and a wait for the others ends.
        let settled = false;
        const wait = reports.settled().then(() => {
          settled = true;
        });
        while (waiting.length > 0) {
          reports.ready();
          waiting.shift();
        }
        if (open === 0) {
          await wait;
          assert.ok(settled);
        } else {
          assert.equal(reports.unreported, open);
          reports.abandon();
          await wait;
        }
      },
    ),
  );
});
