// Starting a worker thread whose entry is a module of ours, both when Vigil runs compiled (dist/,
// the entry's .js beside the caller) and from source under tsx (tests, development), where the
// worker does not inherit the loader hooks: the TypeScript entry is then loaded after registering
// tsx inside the worker.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker whose entry is `entry` (a file name without extension) in the folder of the
 * module at `callerUrl` (its import.meta.url).
 */
export function startModuleWorker(callerUrl: string, entry: string, options: WorkerOptions = {}): Worker {
  const compiled = new URL(`./${entry}.js`, callerUrl);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled, options);
  const source = new URL(`./${entry}.ts`, callerUrl).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
