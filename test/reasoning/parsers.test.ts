// Properties of the small parsers the tree builder relies on: verdicts, line keys, statements.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  buildReasoningTree,
  outcomePath,
  parseVerdict,
  renderPath,
  renderTree,
} from '../../src/reasoning/index.js';
import { promptRegions } from '../../src/reasoning/prompt-regions.js';
import { lineKeys, normalizeStatement, splitStatements, stateOf } from '../../src/reasoning/text.js';
import { GatewayEventRecorder } from '../workloads/gateway-events.js';

describe('parseVerdict', () => {
  it('reads the value word on the last line, whatever precedes it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[0-9 +*=-]{0,20}$/)),
        fc.constantFrom('sure', 'likely', 'impossible'),
        (work, word) => {
          const v = parseVerdict([...work, word].join('\n'));
          assert.equal(v?.kind, 'value');
          assert.equal(v?.label, word);
        },
      ),
    );
  });

  it('reads the last "best choice is N"', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/best choice is/i.test(s)),
        fc.nat(50),
        (analysis, n) => {
          const v = parseVerdict(`${analysis}\nThe best choice is ${n}`);
          assert.equal(v?.kind, 'vote');
          assert.equal(v?.choice, n);
        },
      ),
    );
  });

  it('finds no verdict in a proposal list', () => {
    assert.equal(parseVerdict('4 + 8 = 12 (left: 6 12 12)\n6 * 2 = 12 (left: 12 12 4)'), null);
    assert.equal(parseVerdict('Thus the coherency score is 7')?.score, 7);
  });
});

describe('text keys', () => {
  it('gives a state line and the bare numbers the same state key', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 1, maxLength: 4 }), (nums) => {
        const state = nums.join(' ');
        assert.equal(stateOf(`1 + 2 = 3 (left: ${state})`), state);
        assert.ok(lineKeys(`Input: ${state}`).includes(`s:${state}`));
        assert.ok(lineKeys(`4 + 8 = 12 (left: ${state})`).includes(`s:${state}`));
      }),
    );
  });

  it('normalizes statements regardless of case, spacing and a trailing semicolon', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z_ ]{1,30}$/), fc.constantFrom('', ';', ' ;', ';;'), (sql, end) => {
        assert.equal(normalizeStatement(`  ${sql.toUpperCase()}${end}  `), normalizeStatement(sql));
      }),
    );
  });

  it('splits a script on semicolons outside quotes, at every position', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc
            .stringMatching(/^[a-z ']{1,12}$/)
            .filter((s) => (s.match(/'/g) ?? []).length % 2 === 0 && s.trim() !== ''),
          { minLength: 1, maxLength: 5 },
        ),
        (parts) => {
          assert.deepEqual(
            splitStatements(parts.join(';')).map((s) => s),
            parts,
          );
        },
      ),
    );
  });
});

describe('promptRegions', () => {
  it('drops the few-shot head that prompts of one template share', () => {
    const head = 'Evaluate (sure/likely/impossible)\n10 14\nsure\n';
    const [a, b] = promptRegions([`${head}6 12 12\n`, `${head}2 3 5\n`]);
    assert.deepEqual(a!.lines, ['6 12 12', '']);
    assert.deepEqual(b!.lines, ['2 3 5', '']);
    const [lone] = promptRegions([`${head}1 2 3\n`]);
    assert.equal(lone!.offset, 0);
  });
});

describe('outcome path and rendering', () => {
  it('lists the root-to-final path with pruned siblings and renders both', () => {
    const rec = new GatewayEventRecorder();
    const call = (id: string, prompt: string, replies: string[]) => {
      rec.append('llm.request', {
        requestId: id,
        api: 'openai.completions',
        method: 'POST',
        path: '/v1/completions',
        model: 'm',
        stream: false,
        n: replies.length,
        body: { prompt },
        parent: null,
        trace: null,
      });
      rec.append('llm.response', {
        requestId: id,
        status: 200,
        stream: false,
        choices: replies.map((text, index) => ({ index, text, finishReason: 'stop', toolCalls: [] })),
        usage: null,
        ttftMs: null,
        durationMs: 1,
        body: null,
        error: null,
        partial: false,
      });
    };
    call('a', 'Write a plan.\n', ['Plan: go north\n', 'Plan: go south\n']);
    call('b', 'Write a plan.\nPlan: go south\n', ['We went south and found water.']);
    const tree = buildReasoningTree(rec.events);
    assert.deepEqual(
      tree.edges.map((e) => [e.from, e.to, e.evidence]),
      [['a:1', 'b:0', 'string-prefix']],
    );
    const path = outcomePath(tree);
    assert.deepEqual(
      path.steps.map((s) => s.nodeId),
      ['a:1', 'b:0'],
    );
    assert.deepEqual(
      path.steps[0]!.alternatives.map((a) => [a.nodeId, a.status]),
      [['a:0', 'pruned']],
    );
    assert.match(renderTree(tree), /\+ a:1[\s\S]*\+ b:0 {2}<- string-prefix 0.9/);
    assert.match(renderPath(path), /step 2: b:0 \(string-prefix 0.9\)/);
    assert.throws(() => outcomePath(tree, 'nope:0'), { code: 'usage' });
  });
});
