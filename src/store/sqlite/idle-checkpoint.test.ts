// The append writer's WAL checkpoints: none inside a commit while the writer gets idle moments, one
// at the first idle moment past the threshold, and SQLite's own (within a commit) only as the
// backstop for a writer that is never idle, so the WAL stays bounded either way.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { AppendBatch } from './append-rows.js';
import { createBatchWriter } from './append-writer.js';
import { IDLE_CHECKPOINT_FRAMES, idleCheckpointer } from './idle-checkpoint.js';
import { SqliteStore } from './sqlite-store.js';

function writerConnection() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-idle-checkpoint-'));
  const path = join(dir, 'vigil.db');
  new SqliteStore(path, { appendInWorker: false }).database.close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const idle: (() => void)[] = [];
  const checkpointer = idleCheckpointer(db, path, (run) => idle.push(run));
  const write = createBatchWriter(db);
  let seq = 0;
  /** One event per commit, as a gateway writes a model request or its response. */
  const commit = () => {
    const batch: AppendBatch = {
      events: [
        [
          seq,
          's1',
          seq,
          'llm.response',
          `t${seq}`,
          'openai',
          'alice',
          '{}',
          'r'.repeat(1_300),
          'ph',
          'p',
          'h',
          null,
        ],
      ],
      newSessions: seq === 0 ? [['s1', 'openai', 'llm', 'alice', '{}', 't0', null]] : [],
      touched: [[`t${seq}`, 1, seq + 1, 'h', 's1']],
      ended: [],
      checkpoints: [],
    };
    seq++;
    write(batch);
    checkpointer.afterWrite(1);
  };
  const cleanup = () => {
    checkpointer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { commit, idle, checkpointer, cleanup };
}

test('no commit runs a checkpoint; the first idle moment past the threshold does', () => {
  const { commit, idle, checkpointer, cleanup } = writerConnection();
  try {
    let previous = 0;
    while (checkpointer.pendingFrames() < IDLE_CHECKPOINT_FRAMES + 50) {
      commit();
      const pending = checkpointer.pendingFrames();
      assert.ok(pending > previous, `a commit checkpointed: ${previous} frames pending, then ${pending}`);
      previous = pending;
    }
    // One idle moment was asked for, however many commits came before it ran.
    const waiting = () => idle.length;
    assert.equal(waiting(), 1);
    idle.shift()!();
    assert.equal(checkpointer.pendingFrames(), 0);
    // Below the threshold an idle moment leaves the WAL alone.
    while (waiting() === 0) commit();
    const pending = checkpointer.pendingFrames();
    idle.shift()!();
    assert.equal(checkpointer.pendingFrames(), pending);
  } finally {
    cleanup();
  }
});

test('a writer that is never idle still has its WAL checkpointed, within a commit', () => {
  const { commit, checkpointer, cleanup } = writerConnection();
  try {
    let most = 0;
    let checkpointed = false;
    for (let i = 0; i < 1_000 && !checkpointed; i++) {
      commit();
      const pending = checkpointer.pendingFrames();
      checkpointed = pending < most;
      most = Math.max(most, pending);
    }
    assert.ok(checkpointed, 'the WAL was never checkpointed');
    // The commit that takes the WAL to twice the threshold checkpoints it before it returns.
    assert.ok(most < IDLE_CHECKPOINT_FRAMES * 2 && most >= IDLE_CHECKPOINT_FRAMES * 2 - 50, `${most} frames`);
  } finally {
    cleanup();
  }
});
