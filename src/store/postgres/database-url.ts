// The store's connection URL comes from a secret reference (env:NAME or file:PATH) like every other
// secret in the configuration: it holds the database password. The store reads the reference
// itself (src/store/secret-reference.ts), and no message here ever quotes the URL.
import { VigilError } from '../../core/errors.js';
import { readSecretReference } from '../secret-reference.js';

/**
 * Resolves `env:NAME`, or `file:PATH` relative to `baseDir`, to a postgres:// URL (trimmed). A value
 * that is not one is refused here, with no cause attached: a URL parser's error may carry its input.
 */
export function resolveDatabaseUrl(ref: string, baseDir: string): string {
  const value = readSecretReference(ref, baseDir, 'store.url');
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

/** Where the URL points, without user or password: for messages and the log. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return 'the configured database';
  }
}
