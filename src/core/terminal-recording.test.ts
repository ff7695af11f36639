// The size an asciicast file gives its terminal: the one the client asked for, and 80x24 where it
// asked for none or for a size no player can draw (0x0 from `ssh -tt` without a terminal).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StoredEvent } from './events.js';
import { asciicast, terminalRecording } from './terminal-recording.js';

function session(pty: Record<string, unknown> | undefined): StoredEvent[] {
  const base = { sessionId: 's', connection: 'web1', identity: { subject: 'bob', kind: 'user', groups: [] } };
  const event = (seq: number, type: string, payload: Record<string, unknown>) =>
    ({ ...base, seq, type, time: '2026-12-05T00:00:00.000Z', payload }) as unknown as StoredEvent;
  return [
    event(0, 'ssh.exec', { kind: 'shell', ...(pty ? { pty } : {}) }),
    event(1, 'ssh.output', { channel: 0, offset: 0, frames: [[0.1, 'o', '$ ']] }),
  ];
}

test('the terminal size is the one asked for, else 80x24', () => {
  const cases: [Record<string, unknown> | undefined, number, number][] = [
    [{ cols: 132, rows: 40, term: 'xterm' }, 132, 40],
    [{ cols: 0, rows: 0, term: 'dumb' }, 80, 24],
    [{ cols: -3, rows: 2.5 }, 80, 24],
    [undefined, 80, 24],
  ];
  for (const [pty, width, height] of cases) {
    const events = session(pty);
    const recording = terminalRecording(events)!;
    assert.deepEqual([recording.width, recording.height], [width, height], JSON.stringify(pty));
    const header = JSON.parse(asciicast(recording, events, 't').split('\n')[0]!) as Record<string, unknown>;
    assert.deepEqual([header.width, header.height], [width, height]);
  }
});
