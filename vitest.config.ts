import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Three projects, run side by side in one `vitest run`:
//   unit  tests in happy-dom (a page's globals, no browser);
//   node  tests in Node: the files that say `// @vitest-environment node`;
//   e2e   test/e2e/: the built package, the demo server and the demo in Chromium
//         (one Chromium for all of them: test/e2e/chromium.ts).
// `npx vitest run --project unit` runs one of them.
//
// The type tests (test/package/types.test-d.ts) are checked by `npm run typecheck`
// (tsc, tsconfig.json includes test/): vitest's typecheck would run a second
// full tsc inside `npm test` and announce itself as experimental on every run.

const UNIT = ['src/**/*.test.ts', 'test/**/*.test.ts'];

/** The unit test files whose first comments choose Node (`// @vitest-environment node`). */
const nodeFiles = ['src', 'test']
  .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((file) => `${dir}/${file}`))
  .filter((file) => /\.test\.ts$/.test(file) && !file.startsWith('test/e2e/'))
  .filter((file) => /^\s*\/\/ @vitest-environment node\b/m.test(readFileSync(file, 'utf8').slice(0, 500)));

/**
 * Started first when no timings are cached yet (a fresh clone, or after `npm ci`): the longest file outside the
 * browser tests, one long sequential run (the browser tests, project `e2e`, come first in vitest's order anyway).
 */
const LONGEST = 'test/events/faults.test.ts';

/**
 * The longest files first, whichever project they are in. Vitest queues the
 * projects one after the other, in the order of their names, so the longest
 * file of `unit` (half a minute alone) would start last and finish the run on
 * its own while the other workers are idle.
 */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]) {
    const ordered = await super.sort(files); // vitest's order: by project, then longest (as cached) or largest first
    const seconds = (spec: TestSpecification) => {
      const path = relative(spec.project.config.root, spec.moduleId);
      return this.ctx.cache.getFileTestResults(`${spec.project.name}:${path}`)?.duration ?? (path === LONGEST ? Infinity : -1);
    };
    return ordered.sort((a, b) => seconds(b) - seconds(a)); // a stable sort: vitest's order among equals
  }
}

export default defineConfig({
  test: {
    // The default is one worker per core but one; most test time is spent waiting (timers, the
    // browser, sockets), so on small machines more workers than cores finish sooner.
    maxWorkers: Math.max(4, availableParallelism() - 1),
    // A timeout is there to catch a test that hangs, not one that is slow: on a busy
    // two-core machine a property test of one second takes six (vitest's default is 5 s).
    testTimeout: 20_000,
    sequence: { sequencer: LongestFirst },
    restoreMocks: true,
    unstubGlobals: true,
    projects: [
      { extends: true, test: { name: 'unit', environment: 'happy-dom', include: UNIT, exclude: [...nodeFiles, 'test/e2e/**'] } },
      { extends: true, test: { name: 'node', environment: 'node', include: nodeFiles } },
      { extends: true, test: { name: 'e2e', environment: 'node', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/e2e/chromium.ts'] } },
    ],
  },
});
