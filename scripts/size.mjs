#!/usr/bin/env node
// Size budgets of what users download, measured on the built dist/ (run `npm run build` first).
//
//   node scripts/size.mjs              table; exit 1 when an enforced limit (budget, or CI ceiling while the budget is out of reach) is exceeded
//   node scripts/size.mjs --report     table only, always exit 0
//   node scripts/size.mjs --markdown   the table as Markdown (for docs/performance.md)
//   node scripts/size.mjs --modules    also: where the bytes of the script-tag bundle go, per source module
//
// Sizes: "min" is the minified code in bytes, "gzip" is that gzipped at level 9
// (node:zlib), the figure the budgets apply to; "brotli" (quality 11) is for
// information. 1 KB = 1024 bytes throughout.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

export const KB = 1024;

/** The budgets of the performance issue, in bytes of min+gzip. One place to change them. */
export const BUDGETS = {
  iife: 6 * KB, // dist/engagekit.global.js: everything a script-tag user gets, transcript renderer included
  createVisitor: 5 * KB, // `import { createVisitor } from 'engagekit'`, tree-shaken, dependencies bundled
  operator: 1.5 * KB, // `import { createOperator } from 'engagekit/operator'`
};

/**
 * What CI enforces while a budget is still out of reach: the size reached on
 * 2026-11-21 plus about 2% of headroom, so that no bundle grows back while the
 * budgets above are not met (docs/performance.md, "Budgets", says why).
 * Lower a ceiling whenever its bundle shrinks, and delete it once the bundle
 * is within its budget: from then on the budget itself is enforced.
 */
export const CEILINGS = {
  iife: 11.3 * KB,
  createVisitor: 10.1 * KB,
  operator: 3 * KB,
};

/** The limit CI enforces: the ceiling while there is one, else the budget (undefined: nothing enforced). */
export function enforcedLimit(budget, ceiling) {
  return ceiling ?? budget;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (file) => join(root, 'dist', file);

/** The terser settings of the script-tag build (rollup.config.mjs), plus `module` for ESM output. */
const TERSER = { ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } };

/** What is measured. `file`: a built file as is. `imports`: a consumer's import, bundled and minified here. */
export const TARGETS = [
  { id: 'iife', name: 'script tag: dist/engagekit.global.js', file: 'engagekit.global.js', budget: BUDGETS.iife, ceiling: CEILINGS.iife },
  { id: 'createVisitor', name: 'ESM: { createVisitor } from engagekit', imports: ['createVisitor'], from: 'index.js', budget: BUDGETS.createVisitor, ceiling: CEILINGS.createVisitor },
  { id: 'operator', name: 'ESM: { createOperator } from engagekit/operator', imports: ['createOperator'], from: 'operator.js', budget: BUDGETS.operator, ceiling: CEILINGS.operator },
  { id: 'mountTranscript', name: 'ESM: { mountTranscript } from engagekit (info)', imports: ['mountTranscript'], from: 'index.js' },
  { id: 'index', name: 'ESM: * from engagekit, whole index (info)', imports: '*', from: 'index.js' },
];

/** gzip (level 9) and brotli (quality 11) sizes of `code`, in bytes. */
export function compressedSizes(code) {
  const buffer = Buffer.isBuffer(code) ? code : Buffer.from(code, 'utf8');
  return {
    min: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: buffer.length,
      },
    }).length,
  };
}

/** The sizes of a file on disk, taken as already minified. */
export function measureFile(path) {
  return compressedSizes(readFileSync(path));
}

/**
 * Compares a gzip size with a budget: `ok` is true when within it (a budget of
 * undefined is informative and always ok); `over` is the excess in bytes (0 when within).
 */
export function checkBudget(gzip, budget) {
  if (budget === undefined) return { ok: true, over: 0, informative: true };
  const over = Math.max(0, gzip - budget);
  return { ok: over === 0, over, informative: false };
}

/**
 * Bundles `import { names } from '<dist file>'` the way a consumer's bundler
 * would: tree-shaken (the package says `sideEffects: false`), nanoid bundled in, minified with terser. Returns the minified code.
 */
export async function bundleImport(names, fromFile) {
  const [{ rollup }, { nodeResolve }, commonjs, terser] = await Promise.all([
    import('rollup'),
    import('@rollup/plugin-node-resolve'),
    import('@rollup/plugin-commonjs').then((m) => m.default),
    import('@rollup/plugin-terser').then((m) => m.default),
  ]);
  const target = JSON.stringify(fromFile);
  const entry =
    names === '*' ? `export * from ${target};` : `export { ${names.join(', ')} } from ${target};`;
  const ENTRY = '\0size-entry';
  const bundle = await rollup({
    input: ENTRY,
    plugins: [
      { name: 'size-entry', resolveId: (id) => (id === ENTRY ? id : null), load: (id) => (id === ENTRY ? entry : null) },
      nodeResolve({ browser: true }),
      commonjs(),
    ],
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY') return;
      warn(warning);
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'es', plugins: [terser(TERSER)] });
    return output.filter((item) => item.type === 'chunk').map((chunk) => chunk.code).join('\n');
  } finally {
    await bundle.close();
  }
}

/** A source file changed after dist/ was built (a stale build measures old code), or undefined. */
export function staleDist(built = dist('engagekit.global.js')) {
  if (!existsSync(built)) return undefined;
  const builtAt = statSync(built).mtimeMs;
  const walk = (dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  const newer = walk(join(root, 'src')).find((file) => statSync(file).mtimeMs > builtAt);
  return newer === undefined ? undefined : relative(root, newer);
}

/** Measures every target; throws when dist/ is missing. */
export async function measureAll(targets = TARGETS) {
  const rows = [];
  for (const target of targets) {
    let sizes;
    if (target.file) {
      const path = dist(target.file);
      if (!existsSync(path)) throw new Error(`${relative(root, path)} is missing: run npm run build first`);
      sizes = measureFile(path);
    } else {
      const path = dist(target.from);
      if (!existsSync(path)) throw new Error(`${relative(root, path)} is missing: run npm run build first`);
      sizes = compressedSizes(await bundleImport(target.imports, path));
    }
    // `ok`/`over`: against what CI enforces; `goal`: against the issue's budget.
    const limit = enforcedLimit(target.budget, target.ceiling);
    rows.push({ ...target, ...sizes, limit, ...checkBudget(sizes.gzip, limit), goal: checkBudget(sizes.gzip, target.budget) });
  }
  return rows;
}

const kb = (bytes) => `${(bytes / KB).toFixed(2)} KB`;
const both = (bytes) => `${bytes} B (${kb(bytes)})`;

function status(row) {
  if (row.informative) return 'info';
  if (!row.ok) return `FAIL: over the enforced ${kb(row.limit)} by ${both(row.over)}`;
  if (row.goal.ok) return `ok (${both(row.budget - row.gzip)} to spare)`;
  return `over budget by ${kb(row.goal.over)} (+${((row.goal.over / row.budget) * 100).toFixed(0)}%), within ceiling`;
}

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function markdown(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function formatRows(rows, { md = false } = {}) {
  const header = ['bundle', 'min', 'gzip', 'brotli', 'budget (gzip)', 'CI ceiling', 'status'];
  const cells = rows.map((r) => [
    r.name,
    kb(r.min),
    kb(r.gzip),
    kb(r.brotli),
    r.budget === undefined ? '—' : kb(r.budget),
    r.ceiling === undefined ? '—' : kb(r.ceiling),
    status(r),
  ]);
  return md ? markdown(header, cells) : table(header, cells);
}

// ---------------------------------------------------------------------------
// Where the bytes go: per source module of the script-tag bundle.

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64 = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes a source map's `mappings` into lines of [generatedColumn, sourceIndex?] (absolute values). */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  for (const lineText of mappings.split(';')) {
    const segments = [];
    let column = 0;
    for (const segmentText of lineText.split(',')) {
      if (segmentText === '') continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = B64.get(char);
        if (digit === undefined) throw new Error(`bad VLQ character ${char}`);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) {
        source += fields[1];
        segments.push([column, source]);
      } else {
        segments.push([column, -1]);
      }
      // Fields 2..4 (source line, column, name) are relative too but not needed here.
    }
    lines.push(segments);
  }
  return lines;
}

/**
 * Attributes every character of a minified file to the source its source map
 * says it came from (as source-map-explorer does): a segment owns the
 * characters up to the next segment. Returns Map(source → characters).
 */
export function attributeBytes(code, map) {
  const lines = code.split('\n');
  const decoded = decodeMappings(map.mappings);
  const bySource = new Map();
  const add = (name, n) => n > 0 && bySource.set(name, (bySource.get(name) ?? 0) + n);
  lines.forEach((text, i) => {
    const segments = decoded[i] ?? [];
    add('(unmapped: IIFE wrapper, helpers)', segments.length ? segments[0][0] : text.length);
    segments.forEach(([column, source], j) => {
      const end = j + 1 < segments.length ? segments[j + 1][0] : text.length;
      add(source < 0 ? '(unmapped: IIFE wrapper, helpers)' : map.sources[source], end - column);
    });
  });
  return bySource;
}

/**
 * Rebuilds the script-tag bundle with the project's own rollup config (from
 * src/, with TypeScript) to read each module's size after tree-shaking but
 * before minification (`renderedLength`).
 */
async function renderedLengths() {
  const [{ rollup }, config] = await Promise.all([import('rollup'), import(pathToFileURL(join(root, 'rollup.config.mjs')).href)]);
  const iife = config.default.find((c) => !Array.isArray(c.output) && c.output?.format === 'iife');
  if (!iife) throw new Error('no IIFE build in rollup.config.mjs');
  const bundle = await rollup({ ...iife, onwarn() {} });
  try {
    const { output } = await bundle.generate({ ...iife.output, sourcemap: false, plugins: [] });
    const lengths = new Map();
    for (const [id, info] of Object.entries(output[0].modules)) lengths.set(moduleName(relative(root, id.replace(/^\0/, ''))), info.renderedLength);
    return lengths;
  } finally {
    await bundle.close();
  }
}

/** One name per module whatever the path style: `src/...` or `node_modules/<package>/...`. */
const moduleName = (path) => {
  const at = path.lastIndexOf('node_modules/');
  return at >= 0 ? path.slice(at) : path.replace(/^(\.\.\/)+/, '');
};

export async function moduleBreakdown() {
  const code = readFileSync(dist('engagekit.global.js'), 'utf8');
  const map = JSON.parse(readFileSync(dist('engagekit.global.js.map'), 'utf8'));
  const minified = attributeBytes(code, map);
  let rendered = new Map();
  try {
    rendered = await renderedLengths();
  } catch (error) {
    console.error(`(rendered sizes unavailable: ${error.message})`);
  }
  const total = [...minified.values()].reduce((a, b) => a + b, 0);
  const rows = [...minified.entries()]
    .map(([source, min]) => {
      const clean = moduleName(source);
      const text = map.sourcesContent?.[map.sources.indexOf(source)];
      return {
        module: clean,
        min,
        share: min / total,
        rendered: rendered.get(clean),
        source: text === undefined ? undefined : Buffer.byteLength(text),
      };
    })
    .sort((a, b) => b.min - a.min);
  return { total, rows };
}

/**
 * `code` with the text of every string literal and template chunk emptied
 * (`"abc"` → `""`): what the bundle would weigh with no message, key, header or
 * URL at all. Not a build anyone could ship; it measures how much of a bundle
 * is code, which no rewording of messages can shrink.
 */
export async function withoutStrings(code) {
  const { parseAst } = await import('rollup/parseAst');
  const spans = [];
  const walk = (node) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'Literal' && typeof node.value === 'string') spans.push([node.start + 1, node.end - 1]);
    else if (node.type === 'TemplateElement') spans.push([node.start, node.end]);
    for (const key in node) if (node[key] && typeof node[key] === 'object') walk(node[key]);
  };
  walk(parseAst(code));
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of spans) {
    out += code.slice(at, start);
    at = end;
  }
  return out + code.slice(at);
}

export function formatBreakdown({ total, rows }, { md = false } = {}) {
  const header = ['#', 'module', 'min (from source map)', 'share of min', 'rendered, before terser', 'source file'];
  const cells = rows.map((r, i) => [
    i + 1,
    r.module,
    `${r.min} B`,
    `${(r.share * 100).toFixed(1)}%`,
    r.rendered === undefined ? '—' : `${r.rendered} B`,
    r.source === undefined ? '—' : `${r.source} B`,
  ]);
  cells.push(['', 'total', `${total} B`, '100%', '', '']);
  return md ? markdown(header, cells) : table(header, cells);
}

// ---------------------------------------------------------------------------

async function main(argv) {
  const report = argv.includes('--report');
  const md = argv.includes('--markdown');
  let rows;
  try {
    rows = await measureAll();
  } catch (error) {
    console.error(`size: ${error.message}`);
    return 1;
  }
  const stale = staleDist();
  if (stale) console.warn(`size: warning: ${stale} is newer than dist/: run npm run build to measure the current code\n`);
  console.log(`Sizes (min = minified bytes; gzip level 9, the budgeted figure; brotli quality 11, information; 1 KB = 1024 B)\n`);
  console.log(formatRows(rows, { md }));
  if (argv.includes('--modules')) {
    console.log(`\nWhere the bytes of dist/engagekit.global.js go, per source module (minified characters attributed with its source map):\n`);
    console.log(formatBreakdown(await moduleBreakdown(), { md }));
    const iife = rows.find((r) => r.id === 'iife');
    const code = await withoutStrings(readFileSync(dist('engagekit.global.js'), 'utf8'));
    const { gzip } = compressedSizes(code);
    console.log(
      `\nThe same bundle with every string literal emptied (no message, key or URL left): ${kb(code.length)} min, ${kb(gzip)} gzip,` +
        ` ${kb(iife.gzip - gzip)} of the ${kb(iife.gzip)} gzip is text${iife.budget ? `; the code alone is ${kb(gzip - iife.budget)} over the ${kb(iife.budget)} budget` : ''}.`,
    );
  }
  const missed = rows.filter((r) => !r.goal.ok);
  if (missed.length === 0) console.log('\nEvery bundle is within its budget.');
  else console.log(`\nBudgets not met yet: ${missed.map((r) => `${r.name} by ${both(r.goal.over)}`).join('; ')}.`);
  const over = rows.filter((r) => !r.ok);
  if (over.length === 0) return 0;
  console.log(`${over.length} enforced limit(s) exceeded: ${over.map((r) => `${r.name} by ${both(r.over)}`).join('; ')}.`);
  if (report) {
    console.log('(--report: not failing)');
    return 0;
  }
  return 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
