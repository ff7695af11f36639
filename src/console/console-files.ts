// Which file of the built console answers a path. Only index.html and what Vite wrote under
// assets/ are ever served, whatever else the directory holds. The app's pages (/sessions/…,
// /approvals) get index.html, so a shared URL opens the right page.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` writes the console: dist/web-console, beside (never inside) tsc's output, so
 * neither build empties the other's files. Found from src/console/ and from dist/console/ alike.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../dist/web-console/', import.meta.url));

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
  if (isClientRoute(pathname)) {
    const path = join(dir, 'index.html');
    return existsSync(path) ? { path, immutable: false } : null;
  }
  return null;
}

/**
 * The app's own pages (web/src/App.tsx): each answers index.html. Named one by one so that every
 * other path stays `route_unknown`, as it was before the console (GET /metrics with metrics off).
 */
const CLIENT_ROUTE = /^\/(?:index\.html|sessions(?:\/[A-Za-z0-9_-]+)?|approvals)?$/;

export function isClientRoute(pathname: string): boolean {
  return CLIENT_ROUTE.test(pathname);
}

/** The paths the console answers: its pages and its built assets. */
export function isConsolePath(pathname: string): boolean {
  return isClientRoute(pathname) || ASSET_PATH.test(pathname);
}

export function isConsoleBuilt(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

export function readConsoleFile(file: ConsoleFile): Buffer {
  return readFileSync(file.path);
}
