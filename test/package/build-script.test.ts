// @vitest-environment node
// scripts/build.mjs: what makes `npm start` and `npm test` build again (--if-stale), and what does not;
// and a build that fails says where, and ends.
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inputsHash, isUpToDate, outputsState } from '../../scripts/build.mjs';

const INPUTS = ['src', 'rollup.config.mjs'];
const OUTPUTS = ['dist', 'demo/app.js'];

describe('scripts/build.mjs --if-stale', () => {
  let root = '';
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const stamp = () => ({ inputs: inputsHash(root, INPUTS), outputs: outputsState(root, OUTPUTS) });
  const fresh = (saved: unknown) => isUpToDate(saved, root, INPUTS, OUTPUTS);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'engagekit-build-'));
    write('src/index.ts', 'export const a = 1;');
    write('src/index.test.ts', 'test');
    write('rollup.config.mjs', 'export default [];');
    write('dist/index.js', 'a');
    write('dist/chunks/x.js', 'x');
    write('demo/app.js', 'app');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when nothing was built yet', () => {
    expect(fresh(undefined)).toBe(false);
  });

  it('skips the build when nothing changed, even if files were only touched', () => {
    const saved = stamp();
    expect(fresh(saved)).toBe(true);
    utimesSync(join(root, 'src/index.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(fresh(saved)).toBe(true);
  });

  it('builds when an input changed, was added or was removed', () => {
    let saved = stamp();
    write('src/index.ts', 'export const a = 2;');
    expect(fresh(saved)).toBe(false);
    saved = stamp();
    write('src/other.ts', '');
    expect(fresh(saved)).toBe(false);
    saved = stamp();
    rmSync(join(root, 'src/other.ts'));
    expect(fresh(saved)).toBe(false);
    saved = stamp();
    write('rollup.config.mjs', 'export default [{}];');
    expect(fresh(saved)).toBe(false);
  });

  it('does not build for a change to a test next to the sources (the build leaves them out)', () => {
    const saved = stamp();
    write('src/index.test.ts', 'another test');
    expect(fresh(saved)).toBe(true);
  });

  it('builds when an output was deleted, edited or added', () => {
    let saved = stamp();
    rmSync(join(root, 'dist/chunks/x.js'));
    expect(fresh(saved)).toBe(false);
    write('dist/chunks/x.js', 'x');
    saved = stamp();
    write('demo/app.js', 'edited');
    expect(fresh(saved)).toBe(false);
    saved = stamp();
    write('dist/stray.js', '');
    expect(fresh(saved)).toBe(false);
  });
});

describe('scripts/build.mjs, a failed build', () => {
  const project = resolve(import.meta.dirname, '../..');
  let root = '';
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'engagekit-failed-build-'));
    for (const path of ['src', 'demo/src', 'scripts/build.mjs', 'rollup.config.mjs', 'tsconfig.json', 'tsconfig.build.json', 'package.json']) {
      cpSync(join(project, path), join(root, path), { recursive: true });
    }
    symlinkSync(join(project, 'node_modules'), join(root, 'node_modules'), 'dir');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('on a syntax error names the file and line, exits with 1, and leaves no process behind', async () => {
    appendFileSync(join(root, 'src/shared/uuid.ts'), '\nexport const broken = ;\n');
    // Its own process group, so that what it leaves running (tsc beside rollup) can be found and stopped.
    const build = spawn(process.execPath, ['scripts/build.mjs'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    build.stdout.on('data', (chunk) => (output += chunk));
    build.stderr.on('data', (chunk) => (output += chunk));
    // Before the fix the process never ended: the TypeScript plugin's file watchers kept it alive.
    const code = await new Promise<number | null>((done) => {
      const timer = setTimeout(() => done(null), 60_000);
      build.on('exit', (exitCode) => {
        clearTimeout(timer);
        done(exitCode);
      });
    });
    const groupAlive = () => {
      try {
        process.kill(-build.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    // The children it stopped as it exited (tsc, msw init) take a moment to go.
    for (let waited = 0; groupAlive() && waited < 5_000; waited += 100) await new Promise((done) => setTimeout(done, 100));
    const leftBehind = groupAlive();
    if (leftBehind) process.kill(-build.pid!, 'SIGKILL');
    expect(code).toBe(1);
    expect(output).toMatch(/Build failed: .*src\/shared\/uuid\.ts/);
    expect(output).toMatch(/src\/shared\/uuid\.ts:\d+:\d+/);
    expect(output).toContain('Expression expected');
    expect(leftBehind).toBe(false);
  }, 90_000);
});
