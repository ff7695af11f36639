// Replica leases when appends commit in the worker thread (the default): each method runs on the
// worker's connection (append-worker.ts), in order with the append batches, so the main thread never
// waits for SQLite's write lock or a commit's fsync to renew a lease or check who signs.
import type { AdoptedSession, ReplicaInfo, ReplicaLeases } from '../../core/ports.js';
import type { WorkerBatchWriter } from './worker-writer.js';

export class WorkerReplicaLeases implements ReplicaLeases {
  readonly #worker: WorkerBatchWriter;

  constructor(worker: WorkerBatchWriter) {
    this.#worker = worker;
  }

  async register(replica: ReplicaInfo, ttlMs: number): Promise<void> {
    await this.#worker.lease({ method: 'register', args: [replica, ttlMs] });
  }

  async renew(id: string, ttlMs: number): Promise<boolean> {
    return (await this.#worker.lease({ method: 'renew', args: [id, ttlMs] })) as boolean;
  }

  async release(id: string): Promise<void> {
    await this.#worker.lease({ method: 'release', args: [id] });
  }

  async list(): Promise<ReplicaInfo[]> {
    return (await this.#worker.lease({ method: 'list', args: [] })) as ReplicaInfo[];
  }

  async expire(ids?: readonly string[]): Promise<string[]> {
    return (await this.#worker.lease({ method: 'expire', args: ids === undefined ? [] : [ids] })) as string[];
  }

  async adoptOrphans(claimer: string, quietSince: string): Promise<AdoptedSession[]> {
    return (await this.#worker.lease({
      method: 'adoptOrphans',
      args: [claimer, quietSince],
    })) as AdoptedSession[];
  }

  async lead(id: string, ttlMs: number): Promise<boolean> {
    return (await this.#worker.lease({ method: 'lead', args: [id, ttlMs] })) as boolean;
  }
}
