// The store's connection URL comes from a secret reference (env:NAME or file:PATH) like every other
// secret in the configuration: it holds the database password. The store reads the reference
// itself (it may not import the server's resolver), and no message here ever quotes the URL.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { VigilError } from '../../core/errors.js';

/**
 * Resolves `env:NAME`, or `file:PATH` relative to `baseDir`, to a postgres:// URL (trimmed). A value
 * that is not one is refused here, with no cause attached: a URL parser's error may carry its input.
 */
export function resolveDatabaseUrl(ref: string, baseDir: string): string {
  const value = readReference(ref, baseDir);
  let protocol: string | null = null;
  try {
    protocol = new URL(value).protocol;
  } catch {
    // reported below, without the parser's error
  }
  if (protocol !== 'postgres:' && protocol !== 'postgresql:')
    throw new VigilError('config_invalid', `store.url (${ref}) does not hold a postgres:// URL`);
  return value;
}

function readReference(ref: string, baseDir: string): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = process.env[name];
    if (value === undefined || value.trim() === '')
      throw new VigilError('secret_unresolved', `environment variable ${name} is not set (store.url ${ref})`);
    return value.trim();
  }
  if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8').trim();
    } catch (err) {
      throw new VigilError('secret_unresolved', `cannot read the store URL from ${file} (store.url ${ref})`, {
        cause: err,
      });
    }
  }
  throw new VigilError('secret_unresolved', 'store.url must be a secret reference: env:NAME or file:PATH');
}

/** Where the URL points, without user or password: for messages and the log. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the configured database';
  }
}
