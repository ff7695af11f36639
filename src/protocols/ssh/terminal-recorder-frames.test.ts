// Output arriving a byte at a time made one chunk hold tens of thousands of one-character frames
// (about 1 MB of JSON that every reader of the session parses in one go). A chunk now ends after
// MAX_CHUNK_FRAMES frames too; what is recorded is otherwise the same: the same frames in order,
// chunks whose offsets follow on, and no word cut between two chunks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../core/events.js';
import { type Frame, MAX_CHUNK_FRAMES, TerminalRecorder } from './terminal-recorder.js';

interface Chunk extends JsonObject {
  offset: number;
  frames: Frame[];
}

function recordByteByByte(output: string): Chunk[] {
  const chunks: Chunk[] = [];
  const rec = new TerminalRecorder({
    channel: 0,
    startedAt: performance.now(),
    chunkBytes: 64 * 1024,
    chunkMs: 60_000,
    record: (payload) => chunks.push(payload as Chunk),
  });
  for (const byte of Buffer.from(output)) rec.push(Buffer.from([byte]));
  rec.close();
  return chunks;
}

test('output written a byte at a time is cut into chunks of at most MAX_CHUNK_FRAMES frames, words whole', () => {
  const words = ['ls', '-la', 'AKIAIOSFODNN7EXAMPLE', 'été', '🚀', 'done\r\n'];
  let output = '';
  for (let i = 0; output.length < 3 * MAX_CHUNK_FRAMES; i++) output += `${words[i % words.length]} `;
  const chunks = recordByteByByte(output);
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  for (const c of chunks) assert.ok(c.frames.length <= MAX_CHUNK_FRAMES, `${c.frames.length} frames`);
  // The same frames as one write a byte at a time gives (a character split across bytes arrives
  // whole with its last byte), in order, every chunk starting where the one before ended.
  const frames = chunks.flatMap((c) => c.frames);
  assert.deepEqual(
    frames.map(([, kind, data]) => [kind, data]),
    [...output].map((ch) => ['o', ch]),
  );
  let offset = 0;
  for (const c of chunks) {
    assert.equal(c.offset, offset);
    for (const [, , data] of c.frames) offset += Buffer.byteLength(data);
    // Each chunk but the last ends at a word's end.
    if (c !== chunks.at(-1)) assert.equal(c.frames.at(-1)![2], ' ');
  }
  assert.equal(offset, Buffer.byteLength(output));
});

test('a word of one-character frames longer than the carry is cut, and every chunk still moves on', () => {
  const output = `${'x'.repeat(3 * MAX_CHUNK_FRAMES)}\r\n`;
  const chunks = recordByteByByte(output);
  for (const c of chunks) {
    assert.ok(c.frames.length > 0);
    assert.ok(c.frames.length <= MAX_CHUNK_FRAMES, `${c.frames.length} frames`);
  }
  assert.equal(chunks.flatMap((c) => c.frames.map((f) => f[2])).join(''), output);
});
