// What the console's browser tests share: the console built once per test process (into a
// temporary directory, so a checkout's dist/ is left alone), and Debian's Chromium driven by
// playwright-core. Without Chromium the tests say so and skip; they never pass without a browser.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let built: string | null = null;

/** Vite refuses to build while another build of the same project runs (it holds a lock). */
const ANOTHER_BUILD = /Found another Vite build process/;
/** How long a test process waits for another one's build to finish. */
const BUILD_WAIT_MS = 120_000;

/**
 * Builds the console with Vite (about 2 s) and returns its directory; once per process. Test files
 * run in parallel processes, and two of them may build at once: Vite then refuses the second, which
 * waits and builds again.
 */
export function buildConsole(): string {
  if (built) return built;
  const outDir = mkdtempSync(join(tmpdir(), 'vigil-console-build-'));
  const deadline = Date.now() + BUILD_WAIT_MS;
  for (;;) {
    const run = spawnSync(
      process.execPath,
      [
        'node_modules/vite/bin/vite.js',
        'build',
        '--config',
        'web/vite.config.ts',
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      { encoding: 'utf8' },
    );
    if (run.status === 0) break;
    const output = `${run.stderr}${run.stdout}`;
    if (!ANOTHER_BUILD.test(output) || Date.now() > deadline) throw new Error(`vite build failed: ${output}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250 + Math.random() * 500);
  }
  built = outDir;
  return outDir;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Chromium, or null after marking the test skipped with the reason. */
export async function launchOrSkip(t: TestContext): Promise<Browser | null> {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no Chromium at ${CHROMIUM} (apt-get install chromium): the console's browser test cannot run`);
    return null;
  }
  return launchChromium();
}

export interface WatchedPage {
  readonly page: Page;
  /** Every request the page made, by URL. */
  readonly requests: string[];
  /** Every dialog (alert, confirm, prompt) the page opened: none should. */
  readonly dialogs: string[];
  /** Uncaught errors in the page. */
  readonly errors: string[];
}

export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (r: Request) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, requests, dialogs, errors };
}

/** Signs the page in by pasting a Vigil token into the console's sign-in form. */
export async function signInWithToken(page: Page, gatewayUrl: string, token: string): Promise<void> {
  await page.goto(`${gatewayUrl}/`);
  await page.locator('#token').fill(token);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByTestId('who').waitFor();
}
