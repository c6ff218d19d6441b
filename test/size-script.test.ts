// @vitest-environment node
// scripts/size.mjs measures the size budgets in CI; these check its measuring functions on tiny fixtures.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

// A specifier in a variable: the script is plain JS without declarations, so keep it out of tsc's way.
const scriptUrl = new URL('../scripts/size.mjs', import.meta.url).href;
 
const size: any = await import(scriptUrl);

describe('scripts/size.mjs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'engagekit-size-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('uses 1 KB = 1024 bytes and the budgets of the issue', () => {
    expect(size.KB).toBe(1024);
    expect(size.BUDGETS).toEqual({ iife: 6 * 1024, createVisitor: 5 * 1024, operator: 1.5 * 1024 });
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

  it('CI enforces a ceiling while a budget is out of reach, the budget once the ceiling is gone', () => {
    expect(size.enforcedLimit(6 * 1024, 13 * 1024)).toBe(13 * 1024);
    expect(size.enforcedLimit(6 * 1024, undefined)).toBe(6 * 1024);
    expect(size.enforcedLimit(undefined, undefined)).toBeUndefined();
    // A ceiling only ever relaxes an unmet budget; one below its budget would be a typo.
    for (const key of Object.keys(size.CEILINGS)) expect(size.CEILINGS[key]).toBeGreaterThan(size.BUDGETS[key]);
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
});
