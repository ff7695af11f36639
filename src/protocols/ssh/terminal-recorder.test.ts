// Terminal output is recorded in chunks that the masker reads one at a time: a size or age bound
// must not cut a word (a key) in two, and the chunks must still add up to the output, in place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject } from '../../core/events.js';
import { type Frame, TerminalRecorder } from './terminal-recorder.js';

interface Chunk extends JsonObject {
  offset: number;
  frames: Frame[];
}

function recorder(chunkBytes: number): { rec: TerminalRecorder; chunks: Chunk[] } {
  const chunks: Chunk[] = [];
  const rec = new TerminalRecorder({
    channel: 0,
    startedAt: performance.now(),
    chunkBytes,
    chunkMs: 60_000,
    record: (payload) => chunks.push(payload as Chunk),
  });
  return { rec, chunks };
}

const textOf = (c: Chunk) => c.frames.map((f) => (f[1] === 'o' ? f[2] : '')).join('');

test('a key the size bound would cut lands whole in one chunk, wherever the writes split it', () => {
  const key = 'AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const output = `total 8\r\naws_secret_access_key = ${key}\r\nregion = eu-west-1\r\n`;
  for (let chunkBytes = 8; chunkBytes <= 64; chunkBytes += 7) {
    for (let cut = 0; cut <= output.length; cut += 5) {
      const { rec, chunks } = recorder(chunkBytes);
      rec.push(Buffer.from(output.slice(0, cut)));
      rec.push(Buffer.from(output.slice(cut)));
      rec.close();
      assert.equal(chunks.map(textOf).join(''), output);
      assert.ok(
        chunks.some((c) => textOf(c).includes(key)),
        `chunk bound ${chunkBytes}, write cut ${cut}: ${JSON.stringify(chunks.map(textOf))}`,
      );
    }
  }
});

test('chunks add up to the output in order, each at its byte offset, for any writes', () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', 'é', '€', 'x'), maxLength: 30 }), {
        maxLength: 12,
      }),
      fc.integer({ min: 1, max: 40 }),
      (writes, chunkBytes) => {
        const { rec, chunks } = recorder(chunkBytes);
        for (const w of writes) rec.push(Buffer.from(w));
        rec.close();
        const all = writes.join('');
        assert.equal(chunks.map(textOf).join(''), all);
        let offset = 0;
        for (const c of chunks) {
          assert.equal(c.offset, offset);
          offset += Buffer.byteLength(textOf(c));
        }
        // Every chunk but the last ends at a separator, or is a word too long to carry.
        for (const c of chunks.slice(0, -1)) assert.match(textOf(c), /[\s]$|^[^\s]{4097,}$/u);
      },
    ),
    { numRuns: 300 },
  );
});
