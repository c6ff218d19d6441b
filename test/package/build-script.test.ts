// @vitest-environment node
// scripts/build.mjs --if-stale: what makes `npm start` and `npm test` build again, and what does not.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
