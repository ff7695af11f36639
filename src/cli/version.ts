// The version `vigil --version` prints: the package's own, read from the package.json two folders
// up, which is the project root from src/cli/ (run from source) and from dist/cli/ (built) alike.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
