// The gateway's memory with many open LLM streams: streaming chat completions through Vigil to the
// stand-in model, each held open after its first chunk. The stand-in sends the role chunk at once
// and waits `chunkDelayMs` before each content chunk, so with max_tokens 1 a stream stays open for
// the hold time after its first chunk, then finishes normally.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { hashToken } from '../../src/identity/config-tokens.js';
import { cpuMillis } from '../support/cpu.js';
import { rssMb } from '../support/memory.js';
import { benchModelConnection } from '../support/model-connection.js';
import { probeGateway, spawnJsonUrl } from '../support/processes.js';
import type { MemoryResult } from './postgres-sessions.js';

const TOKEN = 'bench-token-memory-0123456789';
const UPSTREAM_KEY = 'sk-bench-memory-upstream';
/** Streams started at once while filling up; the next batch starts when these have their first chunk. */
const BATCH = 100;

interface Stream {
  /** Resolves when the first body chunk arrived. */
  readonly first: Promise<void>;
  /** Resolves true when the stream ended with status 200 and `data: [DONE]`. */
  readonly done: Promise<boolean>;
  readonly finished: () => boolean;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function openLlmStreams(count: number, holdSeconds: number): Promise<MemoryResult> {
  const model = await spawnJsonUrl('bench/llm-proxy/model-process.ts', [
    JSON.stringify({ apiKey: UPSTREAM_KEY, chunkDelayMs: holdSeconds * 1000 }),
  ]);
  const vigil = await spawnJsonUrl('bench/support/probed-gateway.ts', [
    JSON.stringify({
      dataDir: mkdtempSync(join(tmpdir(), 'vigil-bench-memory-llm-')),
      settings: {
        log_level: 'silent',
        identities: [{ name: 'bench', token_sha256: hashToken(TOKEN) }],
        connections: [benchModelConnection(model.url, UPSTREAM_KEY)],
      },
    }),
  ]);
  const pid = vigil.child.pid;
  const pool = new Pool(vigil.url, { connections: count + 50, pipelining: 1 });
  const request = (stream: boolean, session: string) =>
    pool.request({
      method: 'POST',
      path: '/c/model/v1/chat/completions',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${TOKEN}`,
        // One session per stream, as many agents each in a run of its own would be.
        'x-vigil-session': session,
      },
      body: JSON.stringify({
        model: 'demo',
        stream,
        max_tokens: 1,
        messages: [{ role: 'user', content: `Stream ${session}: say one word.` }],
      }),
    });
  const start = (i: number): Stream => {
    let firstArrived: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      firstArrived = resolve;
    });
    let finished = false;
    const done = (async () => {
      try {
        const res = await request(true, `mem-${i}`);
        let text = '';
        for await (const chunk of res.body) {
          firstArrived();
          text += String(chunk);
        }
        return res.statusCode === 200 && text.includes('data: [DONE]');
      } catch {
        return false;
      } finally {
        firstArrived();
        finished = true;
      }
    })();
    return { first, done, finished: () => finished };
  };
  try {
    // Warm-up: whole answers, then streams that run to their end (one hold time).
    for (let i = 0; i < 20; i++) await (await request(false, 'warm')).body.arrayBuffer();
    await Promise.all(Array.from({ length: 20 }, (_, i) => start(-1 - i).done));
    await settle(3000);
    const idle = rssMb(pid);
    const idleHeap = (await probeGateway(vigil)).memoryMb.heapUsed;

    const cpu0 = cpuMillis(pid);
    const t0 = performance.now();
    const streams: Stream[] = [];
    for (let n = 0; n < count; n += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - n) }, (_, i) => start(n + i));
      streams.push(...batch);
      await Promise.all(batch.map((s) => s.first));
    }
    const openSeconds = (performance.now() - t0) / 1000;
    const openCpuMs = cpuMillis(pid) - cpu0;
    await settle(3000);
    const loaded = rssMb(pid);
    const loadedHeap = (await probeGateway(vigil)).memoryMb.heapUsed;
    const endedEarly = streams.filter((s) => s.finished()).length;

    const completed = (await Promise.all(streams.map((s) => s.done))).filter(Boolean).length;
    await settle(5000);
    const after = rssMb(pid);
    const notes = [
      `${count} streams opened in ${openSeconds.toFixed(1)} s; ${endedEarly} had ended when RSS was read (want 0); held ${holdSeconds} s after the first chunk.`,
      `${completed} of ${count} streams completed with status 200 and data: [DONE]; ${count - completed} failed.`,
    ];
    return {
      what: 'open LLM streams',
      count,
      idle,
      loaded,
      after,
      heapUsed: { idle: idleHeap, loaded: loadedHeap },
      openCpuMs,
      openSeconds,
      notes,
    };
  } finally {
    await pool.close();
    await vigil.stop();
    await model.stop();
  }
}
