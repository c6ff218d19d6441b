// @vitest-environment node
// README's "In Node (vitest, jest…)" example, run as a user would run it: the
// block copied into a test file of its own and run by vitest, against the built
// package (`engagekit`, `engagekit/mock`, `engagekit/operator` resolve to dist/
// through package.json's exports, as they do for a user who installed it).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The first ```ts block after the paragraph that starts with `**In Node`. */
function nodeExample(readme: string): string {
  const at = readme.indexOf('**In Node (vitest, jest');
  if (at < 0) throw new Error('README.md: no "**In Node (vitest, jest…)**" paragraph');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!block) throw new Error('README.md: no ```ts block after "**In Node (vitest, jest…)**"');
  return block[1]!;
}

it("README's Node example passes when run with vitest, as written", () => {
  // Inside the package, so that `engagekit` resolves to this package (a self-reference) and msw to its node_modules.
  const dir = `${root}.build/readme-node`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/example.test.ts`, nodeExample(readFileSync(`${root}README.md`, 'utf8')));
  // An empty config: vitest's defaults, as in a new project (else it would find this repository's).
  writeFileSync(`${dir}/vitest.config.mjs`, 'export default {};\n');
  const run = spawnSync(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, 'run', '--root', dir, '--reporter', 'dot'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', VITEST: undefined, VITEST_POOL_ID: undefined, VITEST_WORKER_ID: undefined, NODE_OPTIONS: undefined },
    timeout: 60_000,
  });
  const output = `${run.stdout}\n${run.stderr}`;
  expect(output, output).toMatch(/Tests\s+1 passed \(1\)/);
  expect(run.status, output).toBe(0);
}, 90_000);
