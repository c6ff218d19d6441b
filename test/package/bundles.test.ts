// @vitest-environment node
// The built package: what npm users and script-tag users get. `npm test` builds first (pretest).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const dist = (file: string) => new URL(`../../dist/${file}`, import.meta.url);
const read = (file: string) => readFileSync(dist(file), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

// Strings that appear in any bundle that includes msw or its interceptors.
const MSW_MARKERS = [/from ['"]msw/, /require\(['"]msw/, /\[MSW\]/, /mswjs/, /setupWorker/, /HttpResponse/];

describe('build output', () => {
  it('emits ESM, CJS, IIFE and declarations for every entry in the exports map', () => {
    for (const [entry, conditions] of Object.entries<Record<string, Record<string, string>>>(pkg.exports)) {
      if (entry === './package.json') continue;
      for (const target of [conditions.import!.types, conditions.import!.default, conditions.require!.types, conditions.require!.default]) {
        expect(existsSync(new URL(`../../${target}`, import.meta.url)), `${entry}: ${target}`).toBe(true);
      }
    }
    expect(existsSync(dist('engagekit.global.js'))).toBe(true);
  });

  it('dist/ holds no stale chunk: every chunk is imported by a file of the same build', () => {
    const chunks = readdirSync(dist('chunks')).filter((file) => !file.endsWith('.map'));
    const importers = readdirSync(dist('.'), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.c?js$/.test(file))
      .map((file) => read(file));
    expect(chunks.length).toBeGreaterThan(0);
    for (const chunk of chunks) expect(importers.some((code) => code.includes(`/${chunk}'`)), chunk).toBe(true);
  });

  it.each(['index.js', 'index.cjs', 'engagekit.global.js'])('%s contains no msw code', (file) => {
    const code = read(file);
    for (const marker of MSW_MARKERS) expect(code).not.toMatch(marker);
  });

  it('the mock entry imports msw and does not bundle it', () => {
    // The reference server is a chunk shared with the Node entry (mock-node): follow the entry's own imports.
    const withChunks = (file: string, pattern: RegExp) => {
      const code = read(file);
      return [code, ...[...code.matchAll(pattern)].map((m) => read(m[1]!.replace(/^\.\//, '')))].join('\n');
    };
    const esm = withChunks('mock.js', /from '(\.\/chunks\/[^']+)'/g);
    const cjs = withChunks('mock.cjs', /require\('(\.\/chunks\/[^']+)'\)/g);
    expect(esm).toMatch(/from 'msw'/);
    expect(cjs).toMatch(/require\('msw'\)/);
    for (const code of [esm, cjs]) expect(code).not.toMatch(/\[MSW\]|mswjs/);
  });

  it('the runtime dependencies are eventemitter3 and nanoid; msw is an optional peer', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['eventemitter3', 'nanoid']);
    expect(pkg.peerDependenciesMeta.msw.optional).toBe(true);
    for (const file of ['index.js', 'mock.js']) {
      const imports = [...read(file).matchAll(/^import .* from '([^.][^']*)';$/gm)].map((m) => m[1]);
      for (const id of imports) expect(['eventemitter3', 'nanoid', 'msw']).toContain(id!.split('/')[0]);
    }
  });

  it('the CJS build loads with require() and exposes the same API', () => {
    const require = createRequire(import.meta.url);
    const cjs = require('../../dist/index.cjs');
    expect(typeof cjs.createVisitor).toBe('function');
    expect(typeof cjs.isEngageKitError).toBe('function');
  });

  it('the IIFE defines window.EngageKit and touches nothing else at load', () => {
    const sandbox: Record<string, unknown> = {};
    sandbox.window = sandbox;
    runInNewContext(read('engagekit.global.js'), sandbox);
    const api = sandbox.EngageKit as Record<string, unknown>;
    expect(typeof api.createVisitor).toBe('function');
    expect(Object.keys(sandbox).sort()).toEqual(['EngageKit', 'window']);
  });

  it('importing the ESM build where there is no window (SSR) does not throw', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const esm = await import(dist('index.js').href);
    expect(typeof esm.createVisitor).toBe('function');
  });

  it('no browser bundle imports a Node built-in or ws: only the Node entry (mock-node) may', () => {
    for (const file of ['index.js', 'index.cjs', 'mock.js', 'mock.cjs', 'operator.js', 'engagekit.global.js', 'engagekit-mock.global.js']) {
      const code = read(file);
      expect(code, file).not.toMatch(/(?:from |import\(|require\()['"](?:node:[^'"]+|ws)['"]/);
    }
  });

  it('the Node entry loads msw and ws only when the server starts, so that a missing one can be named', () => {
    for (const file of ['mock-node.js', 'mock-node.cjs']) {
      const code = read(file);
      expect(code, file).not.toMatch(/(?:from |require\()['"](?:msw|ws)['"]/);
      expect(code, file).toContain('npm install -D msw ws');
    }
    expect(pkg.peerDependenciesMeta.ws.optional).toBe(true);
    expect(pkg.bin['engagekit-mock']).toBe('./bin/engagekit-mock.mjs');
    expect(pkg.files).toContain('bin');
  });

  it('engagekit-mock.global.js is a self-contained script that installs window.EngageKitMock, msw included', () => {
    const code = read('engagekit-mock.global.js');
    expect(code).not.toMatch(/^import |\brequire\(['"]/m);
    expect(code).toContain('EngageKitMock');
    expect(code).toContain('mockServiceWorker.js');
    expect(code).toMatch(/\[MSW\]/);
  });
});
