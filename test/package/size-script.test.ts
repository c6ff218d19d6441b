// @vitest-environment node
// scripts/size.mjs measures the size budgets in CI; these check its measuring functions on tiny fixtures.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

// A specifier in a variable: the script is plain JS without declarations, so keep it out of tsc's way.
const scriptUrl = new URL('../../scripts/size.mjs', import.meta.url).href;
 
const size: any = await import(scriptUrl);

describe('scripts/size.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engagekit-size-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses 1 KB = 1024 bytes and the budgets of the issue', () => {
    expect(size.KB).toBe(1024);
    const budgets = Object.fromEntries(Object.entries(size.LIMITS).map(([id, limit]: [string, any]) => [id, limit.budget]));
    expect(budgets).toEqual({ iife: 12 * 1024, createVisitor: 11 * 1024, operator: 3 * 1024 });
  });

  it('a 10 KB random file is over a 1 KB budget, by its gzip size minus the budget', () => {
    const file = join(dir, 'random.js');
    const bytes = randomBytes(10 * 1024);
    writeFileSync(file, bytes);
    const sizes = size.measureFile(file);
    expect(sizes.min).toBe(10 * 1024);
    // Random bytes do not compress: gzip adds its header instead.
    expect(sizes.gzip).toBeGreaterThan(10 * 1024);
    expect(sizes.brotli).toBeGreaterThan(9 * 1024);
    const verdict = size.checkBudget(sizes.gzip, 1024);
    expect(verdict.ok).toBe(false);
    expect(verdict.over).toBe(sizes.gzip - 1024);
  });

  it('10 KB of repetitive text is within a 1 KB budget', () => {
    const sizes = size.compressedSizes('export const a = 1;\n'.repeat(512));
    expect(sizes.gzip).toBeLessThan(1024);
    expect(size.checkBudget(sizes.gzip, 1024)).toEqual({ ok: true, over: 0, informative: false });
  });

  it('gzip is level 9 and matches node:zlib', () => {
    const text = 'function hello(){return "world"}'.repeat(50);
    expect(size.compressedSizes(text).gzip).toBe(gzipSync(Buffer.from(text), { level: 9 }).length);
    expect(gunzipSync(gzipSync(text)).toString()).toBe(text);
  });

  it('CI enforces a ceiling while a budget is out of reach, the budget once the ceiling is gone, or with --budgets', () => {
    expect(size.enforcedLimit(6 * 1024, 13 * 1024)).toBe(13 * 1024);
    expect(size.enforcedLimit(6 * 1024, undefined)).toBe(6 * 1024);
    expect(size.enforcedLimit(undefined, undefined)).toBeUndefined();
    expect(size.enforcedLimit(6 * 1024, 13 * 1024, { budgetsOnly: true })).toBe(6 * 1024);
    for (const limit of Object.values(size.LIMITS) as Array<{ budget: number; ceiling?: number; why?: string }>) {
      if (limit.ceiling === undefined) continue;
      // A ceiling only ever relaxes an unmet budget (one below its budget would be a typo), and says why it is there.
      expect(limit.ceiling).toBeGreaterThan(limit.budget);
      expect(limit.why).toEqual(expect.any(String));
    }
    // Whole bytes over, whatever the fractions of a limit in KB.
    expect(size.checkBudget(17_000, 16.55 * 1024).over).toBe(Math.ceil(17_000 - 16.55 * 1024));
  });

  it('a row without a budget is informative and never fails', () => {
    expect(size.checkBudget(1_000_000, undefined)).toEqual({ ok: true, over: 0, informative: true });
  });

  it('empties string literals and template chunks, and leaves the code and template expressions', async () => {
    const code = 'let a="msg",b=\'x\'+1,c=`at ${a+"!"} and ${b}`;f(/re"g/,a.b)';
    expect(await size.withoutStrings(code)).toBe('let a="",b=\'\'+1,c=`${a+""}${b}`;f(/re"g/,a.b)');
  });

  it('attributes minified characters to the sources of a source map', () => {
    // "abc" comes from a.ts, "defg" from b.ts (segments [0,0,0,0] and [3,1,0,0]).
    const map = { version: 3, sources: ['a.ts', 'b.ts'], mappings: 'AAAA,GCAA' };
    expect(Object.fromEntries(size.attributeBytes('abcdefg', map))).toEqual({ 'a.ts': 3, 'b.ts': 4 });
    expect(size.decodeMappings('AAAA,GCAA;ACAA')).toEqual([
      [[0, 0], [3, 1]],
      [[0, 2]],
    ]);
  });

  it('bundles an import as an app would: tree-shaken, what loads on demand apart', async () => {
    const pkg = join(dir, 'node_modules', 'fixture-sdk');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fixture-sdk', version: '1.2.3', type: 'module', main: 'index.js', sideEffects: false }));
    writeFileSync(
      join(pkg, 'index.js'),
      [
        "import meta from './meta.json';",
        'export const used = () => meta.version + (process.env.NODE_ENV === "production" ? "" : "a development-only string");',
        'export const unused = () => "never bundled";',
        'export const later = () => import("./later.js");',
      ].join('\n'),
    );
    writeFileSync(join(pkg, 'meta.json'), JSON.stringify({ version: 'v1' }));
    writeFileSync(join(pkg, 'later.js'), 'export const big = "loaded on demand";');
    const { code, lazy, lazyChunks } = await size.bundleChunks(['used', 'later'], 'fixture-sdk', { dir });
    expect(code).toContain('v1');
    expect(code).not.toContain('never bundled');
    expect(code).not.toContain('development-only');
    expect(lazyChunks).toBe(1);
    expect(lazy).toContain('loaded on demand');
    await expect(size.bundleChunks(['used'], 'no-such-sdk', { dir })).rejects.toThrow(/no-such-sdk/);
  });

  it('--peers: a package that fails to install is tried alone and named with npm\'s reason; the others are measured', async () => {
    const calls: string[][] = [];
    const run = async (args: string[]) => {
      calls.push(args);
      const names = args.filter((arg) => !arg.startsWith('-') && arg !== 'install' && arg !== dir);
      return names.includes('not-a-package')
        ? { ok: false, output: 'npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/not-a-package - Not found\nnpm error A complete log of this run can be found in: /x.log' }
        : { ok: true, output: '' };
    };
    const failed = await size.installPeers(dir, ['fixture-sdk', 'not-a-package'], run);
    expect([...failed]).toEqual([['not-a-package', '404 Not Found - GET https://registry.npmjs.org/not-a-package - Not found']]);
    expect(calls.map((args) => args.slice(-2))).toEqual([
      ['fixture-sdk', 'not-a-package'],
      ['--loglevel=error', 'fixture-sdk'],
      ['--loglevel=error', 'not-a-package'],
    ]);
    expect(calls[0]).toEqual(expect.arrayContaining(['install', '--prefix', dir, '--ignore-scripts']));

    const rows = await size.measurePeers(dir, {
      install: false,
      peers: [
        { package: 'fixture-sdk', imports: ['used'], file: 'index.js' },
        { package: 'fixture-sdk', imports: ['missing'] },
        { package: 'not-installed' , imports: ['x'] },
      ],
    });
    expect(rows[0]).toMatchObject({ sdk: 'fixture-sdk 1.2.3', what: 'import { used }', gzip: expect.any(Number) });
    expect(rows[1]).toMatchObject({ sdk: 'fixture-sdk 1.2.3', what: 'script tag: index.js', min: expect.any(Number) });
    expect(rows[2]).toMatchObject({ sdk: 'fixture-sdk 1.2.3', error: expect.stringMatching(/^could not bundle import \{ missing \}: .*missing/) });
    expect(rows[3]).toMatchObject({ sdk: 'not-installed', error: expect.stringMatching(/^not installed/) });
    const table = size.formatPeers([{ id: 'iife', name: 'script tag', min: 2048, gzip: 1024, brotli: 900 }], rows);
    expect(table).toContain('fixture-sdk 1.2.3');
    expect(table).not.toContain('not-installed');
  });
});
