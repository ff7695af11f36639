// Secret references (env:NAME, file:PATH) the store section and the object storage hold: the store
// reads them itself, since it may not import the server's resolver. Messages name the reference and
// the key it came from, never the value.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { VigilError } from '../core/errors.js';

/** The trimmed value of `ref`; `file:` paths are relative to `baseDir`. `key` names the setting. */
export function readSecretReference(ref: string, baseDir: string, key: string): string {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = process.env[name];
    if (value === undefined || value.trim() === '')
      throw new VigilError('secret_unresolved', `environment variable ${name} is not set (${key} ${ref})`);
    return value.trim();
  }
  if (ref.startsWith('file:')) {
    const file = ref.slice(5);
    try {
      return readFileSync(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8').trim();
    } catch (err) {
      throw new VigilError('secret_unresolved', `cannot read ${key} from ${file} (${ref})`, {
        cause: err,
      });
    }
  }
  throw new VigilError('secret_unresolved', `${key} must be a secret reference: env:NAME or file:PATH`);
}
