// Shared by the browser tests: connects to the Chromium of the e2e project's
// globalSetup (test/e2e/chromium.ts), serves the demo, opens pages and
// records what must not happen on them (console errors, uncaught errors,
// alert dialogs, CSP violations).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { startDemoServer } from '../../demo/serve.mjs';
import { CHROMIUM_PATH } from './chromium.js';

export { CHROMIUM_PATH };

const REQUIRED = process.env.ENGAGEKIT_REQUIRE_BROWSER === '1';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS = join(ROOT, 'test-results');

export interface OpenPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, uncaught exceptions, dialogs (alert!) and CSP violations, as they happen. */
  problems: string[];
  /** Console warnings, for the tests that expect one. */
  warnings: string[];
}

export interface BrowserSuite {
  /** `http://127.0.0.1:<port>` of the demo server. */
  readonly origin: string;
  /** A page in a fresh context (no service worker, no storage yet) at `path` (`''`: stays on about:blank). */
  open(path: string, options?: { viewport?: { width: number; height: number } }): Promise<OpenPage>;
}

/**
 * `describe` for tests in Chromium. Without Chromium: skipped (with a plain
 * message, once, from test/e2e/chromium.ts), or a failing test when
 * ENGAGEKIT_REQUIRE_BROWSER=1 (CI).
 */
export function describeInBrowser(name: string, body: (suite: BrowserSuite) => void): void {
  if (!existsSync(CHROMIUM_PATH)) {
    if (REQUIRED) {
      describe(name, () => {
        it('needs Chromium', () => {
          throw new Error(
            `Chromium not found at ${CHROMIUM_PATH}, and ENGAGEKIT_REQUIRE_BROWSER=1 requires the browser tests: ` +
              'install it (apt-get install -y chromium) or set CHROMIUM_PATH.',
          );
        });
      });
    } else {
      // Said once for all files, by test/e2e/chromium.ts.
      describe.skip(name, () => body(unavailable));
    }
    return;
  }

  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
  let origin = '';
  const contexts: BrowserContext[] = [];

  const suite: BrowserSuite = {
    get origin() {
      return origin;
    },
    async open(path, { viewport = { width: 1440, height: 900 } } = {}) {
      const context = await browser!.newContext({ viewport });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      const problems: string[] = [];
      const warnings: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console.error: ${message.text()}`);
        if (message.type() === 'warning') warnings.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
      page.on('dialog', (dialog) => {
        problems.push(`dialog (${dialog.type()}): ${dialog.message()}`);
        void dialog.dismiss();
      });
      // Runs before the page's scripts, outside its CSP.
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) => {
          console.error(`CSP violation: ${event.violatedDirective} (${event.blockedURI || 'inline'})`);
        });
      });
      if (path !== '') await page.goto(`${origin}${path}`);
      return { page, context, problems, warnings };
    },
  };

  describe(name, { timeout: 30_000 }, () => {
    beforeAll(async () => {
      server = await startDemoServer({ port: 0 });
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const shared = inject('chromium');
      if (!shared) throw new Error('no shared Chromium: run the browser tests through vitest.config.ts (its e2e project starts it)');
      if ('error' in shared) throw new Error(shared.error);
      browser = await chromium.connect(shared.wsEndpoint);
    }, 30_000);
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => {});
      await browser?.close(); // a connected browser: disconnects, the shared Chromium stays for the other files
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    });
    body(suite);
  });
}

const unavailable: BrowserSuite = {
  origin: '',
  open: () => Promise.reject(new Error('no browser')),
};

/** Saves a screenshot into test-results/; `alsoTo` (relative to the repository) copies it, e.g. for the README. */
export async function screenshot(page: Page, name: string, alsoTo?: string): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (alsoTo) {
    const target = join(ROOT, alsoTo);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(file, target);
  }
  return file;
}
