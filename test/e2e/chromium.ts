// globalSetup of the e2e project (vitest.config.ts): one Chromium for every
// browser test file. Launching it takes a second or two and a good share of
// the machine; each file connects to this one (test/e2e/browser.ts) and opens
// its own contexts in it, so files stay as isolated from each other as before.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { TestProject } from 'vitest/node';

/** Debian's chromium (CI: `apt-get install -y chromium`), or CHROMIUM_PATH. Never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

declare module 'vitest' {
  export interface ProvidedContext {
    /** How the browser test files reach the shared Chromium; `error` when it did not start. */
    chromium: { wsEndpoint: string } | { error: string } | null;
  }
}

export default async function setup(project: TestProject) {
  // Without Chromium, test/e2e/browser.ts skips the browser tests, or fails them when ENGAGEKIT_REQUIRE_BROWSER=1.
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.ENGAGEKIT_REQUIRE_BROWSER !== '1') {
      console.warn(
        `Chromium not found at ${CHROMIUM_PATH}: the browser tests are skipped. ` +
          'Install it (apt-get install -y chromium) or set CHROMIUM_PATH to run them.',
      );
    }
    project.provide('chromium', null);
    return;
  }
  try {
    const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH, args: CHROMIUM_LAUNCH_ARGS });
    project.provide('chromium', { wsEndpoint: server.wsEndpoint() });
    return () => server.close();
  } catch (error) {
    // Reported by each browser test file, as a failed launch was before.
    project.provide('chromium', { error: `Chromium (${CHROMIUM_PATH}) did not start: ${(error as Error).message}` });
  }
}
