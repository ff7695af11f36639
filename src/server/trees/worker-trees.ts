// The gateway's side of the tree builder thread: each job goes out with an id and comes back as the
// answer's JSON text or as the VigilError it failed with. The thread starts on the first job, not
// with the gateway (most gateways never draw a tree), and a thread that died is started again on
// the next job; the jobs it held fail with `internal`.
import type { Worker } from 'node:worker_threads';
import type { TreeReader, TreeSession } from '../../api/routes/tree-reader.js';
import { ERROR_CODES, type ErrorCode, VigilError } from '../../core/errors.js';
import { JsonText } from '../../http/json-response.js';
import { startModuleWorker } from '../../runtime/module-worker.js';
import type { TreeJob, TreeWorkerAnswer, TreeWorkerData } from './tree-jobs.js';

type JobBody = TreeJob extends infer J ? (J extends TreeJob ? Omit<J, 'id'> : never) : never;

interface Pending {
  resolve(value: string | boolean | null): void;
  reject(err: Error): void;
}

/** Only what a tree needs of a session crosses to the thread. */
const sessionPart = (s: TreeSession): TreeSession => ({
  id: s.id,
  identity: s.identity,
  startedAt: s.startedAt,
  lastEventAt: s.lastEventAt,
  eventCount: s.eventCount,
});

function answerError(answer: Extract<TreeWorkerAnswer, { ok: false }>): VigilError {
  const code = (answer.code in ERROR_CODES ? answer.code : 'internal') as ErrorCode;
  return new VigilError(code, answer.message);
}

/** One tree builder thread and the jobs it holds. */
class TreeThread {
  readonly worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  /** Set when the thread died or asked to be replaced: no new job goes to it. */
  retired = false;

  constructor(data: TreeWorkerData) {
    const worker = startModuleWorker(import.meta.url, 'tree-worker', { workerData: data });
    this.worker = worker;
    worker.on('message', (answer: TreeWorkerAnswer) => {
      const pending = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (!answer.ok && answer.restart) this.retired = true;
      if (this.#pending.size === 0) {
        worker.unref();
        if (this.retired) void worker.terminate();
      }
      if (answer.ok) pending?.resolve(answer.value);
      else pending?.reject(answerError(answer));
    });
    const died = (why: string) => {
      this.retired = true;
      for (const p of this.#pending.values()) p.reject(new VigilError('internal', why));
      this.#pending.clear();
    };
    worker.on('error', (err) => died(`the tree builder thread failed: ${err.message}`));
    worker.on('exit', (code) => died(`the tree builder thread exited (${code})`));
    // An idle thread must not keep the process alive; a job under way holds a reference.
    worker.unref();
  }

  send(job: JobBody): Promise<string | boolean | null> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...job, id });
    });
  }
}

export class WorkerTrees implements TreeReader {
  readonly #data: TreeWorkerData;
  #thread: TreeThread | null = null;
  #closed = false;

  constructor(data: TreeWorkerData) {
    this.#data = data;
  }

  #send(job: JobBody): Promise<string | boolean | null> {
    if (this.#closed) return Promise.reject(new VigilError('internal', 'the tree builder is closed'));
    if (!this.#thread || this.#thread.retired) this.#thread = new TreeThread(this.#data);
    return this.#thread.send(job);
  }

  async #json(job: JobBody): Promise<JsonText> {
    const text = await this.#send(job);
    if (typeof text !== 'string') throw new VigilError('internal', 'the tree builder answered no JSON');
    return new JsonText(text);
  }

  outline(session: TreeSession): Promise<JsonText> {
    return this.#json({ op: 'outline', session: sessionPart(session) });
  }

  node(session: TreeSession, nodeId: string): Promise<JsonText> {
    return this.#json({ op: 'node', session: sessionPart(session), nodeId });
  }

  full(session: TreeSession): Promise<JsonText> {
    return this.#json({ op: 'full', session: sessionPart(session) });
  }

  path(session: TreeSession, nodeId?: string): Promise<JsonText> {
    return this.#json({
      op: 'path',
      session: sessionPart(session),
      ...(nodeId === undefined ? {} : { nodeId }),
    });
  }

  async holds(session: TreeSession): Promise<boolean> {
    return (await this.#send({ op: 'holds', session: sessionPart(session) })) === true;
  }

  async prebuild(sessionId: string): Promise<void> {
    await this.#send({ op: 'prebuild', sessionId });
  }

  /** The thread only reads, so it is stopped where it stands; the jobs it held fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#thread?.worker.terminate();
  }
}
