// A module resolution hook that writes every file a process resolves to $VIGIL_LOADED_MODULES, one
// URL a line: lazy-commands.test.ts reads what `vigil --version` and `vigil --help` load.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  const log = process.env.VIGIL_LOADED_MODULES;
  if (log && resolved.url.startsWith('file:')) appendFileSync(log, `${resolved.url}\n`);
  return resolved;
}
