// Which file of the built console answers a path. Only index.html and what Vite wrote under
// assets/ are ever served: dist/console also holds the gateway's own compiled src/console/ modules
// (tsc writes there), and those are not the console's to hand out. Client routes (/sessions/…,
// /approvals) get index.html, so a shared URL opens the right page.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the console: dist/console next to src/ (or next to dist/console/*.js). */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/console/', import.meta.url));

export interface ConsoleFile {
  readonly path: string;
  /** Hashed (immutable) assets may be cached for a year; index.html must be revalidated every time. */
  readonly immutable: boolean;
}

/** Vite names built assets `name-HASH.ext`; anything under assets/ comes from the build. */
const ASSET_PATH = /^\/assets\/[A-Za-z0-9._-]+$/;

export function consoleFileFor(dir: string, pathname: string): ConsoleFile | null {
  if (ASSET_PATH.test(pathname) && !pathname.includes('..')) {
    const path = normalize(join(dir, pathname));
    if (!path.startsWith(normalize(dir + sep))) return null;
    if (!existsSync(path) || !statSync(path).isFile()) return null;
    return { path, immutable: true };
  }
  // Client routes: paths without a file extension (and `/`) are the app's own pages.
  if (pathname === '/' || pathname === '/index.html' || !/\.[A-Za-z0-9]+$/.test(pathname)) {
    const path = join(dir, 'index.html');
    return existsSync(path) ? { path, immutable: false } : null;
  }
  return null;
}

export function isConsoleBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

export function readConsoleFile(file: ConsoleFile): Buffer {
  return readFileSync(file.path);
}
