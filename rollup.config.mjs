// The whole build: `rollup -c` (or `npm run build`, which also adds MSW's
// worker script to demo/public/). Adding an entry is one line in one of the
// two tables below.
//
// TypeScript runs once in full: `tsc` type-checks src/ and demo/src/ and
// writes the declarations (tsconfig.build.json), in a child process that runs
// beside the JavaScript builds; those only transpile (`noCheck`), and the
// declaration bundles are rolled up from tsc's .d.ts files at the end.
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dts } from 'rollup-plugin-dts';

/** npm entries: dist/<name>.js (ESM), .cjs, .d.ts and .d.cts. Each also needs its line in package.json's "exports". */
const npmEntries = {
  index: 'src/index.ts',
  mock: 'src/mock.ts',
  'mock-node': 'src/mock-node.ts',
  operator: 'src/operator.ts',
};

/**
 * Script-tag bundles: one IIFE file each, dependencies included.
 * `minify`: the published ones (docs/performance.md, "What the package ships"): `true`, or `'mangle'` (names only, no
 * compress passes); any other key is an output option (`name`, …).
 * The demo's (demo/public/, not published) include msw, the reference server and the operator client.
 * No `name` for the SDK's: src/global.ts installs `window.EngageKit` itself (it must not overwrite a copy already loaded).
 */
const scriptBundles = [
  { file: 'dist/engagekit.global.js', input: 'src/global.ts', minify: true },
  // The reference server for a static site: window.EngageKitMock, msw bundled (most of it).
  // Minified without terser's compress passes: most of its build time went to compressing msw, for a
  // development tool whose size matters little (mangling alone gives most of the saving).
  { file: 'dist/engagekit-mock.global.js', input: 'src/mock-global.ts', minify: 'mangle' },
  { file: 'demo/public/demo-app.js', input: 'demo/src/main.ts' },
  { file: 'demo/public/loader-app.js', input: 'demo/src/loader-page.ts' },
];

// ---------------------------------------------------------------------------

/** Left to the consumer's bundler in the npm builds: the dependencies, peer dependencies and Node's built-ins. */
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const externalPackages = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies });
const external = (id) => id.startsWith('node:') || externalPackages.some((name) => id === name || id.startsWith(`${name}/`));

/** Where tsc writes the declarations (and its incremental state): a cache, never published. Not below node_modules/, where rollup-plugin-dts would take them for a dependency's and leave them out. */
const TYPES_DIR = '.build/types';

/**
 * Transpile-only TypeScript (`noCheck`: the type check is tsc's, below), and
 * once for all the builds: the plugin transpiles every file of
 * tsconfig.build.json when its program starts, then serves each module from
 * that output. The first build to run starts it; the later ones reuse the
 * output instead of each parsing the sources and TypeScript's libraries again
 * (about a second per build). No `outDir`: the output stays in memory, and
 * one instance serves builds that write to dist/ and to demo/public/.
 * `lib: ['es5']`, the smallest of TypeScript's libraries, in place of
 * tsconfig.json's ES2022 and DOM: transpiling reads no types, and parsing the DOM's
 * (2 MB) was a third of this program's cost; the output is the same byte for byte.
 */
const transpiler = typescript({ tsconfig: './tsconfig.build.json', noCheck: true, noEmitOnError: true, lib: ['es5'] });
let transpiled = false;
function ts() {
  let owner = false;
  return {
    ...transpiler,
    buildStart(options) {
      if (transpiled) return;
      transpiled = owner = true;
      return transpiler.buildStart.call(this, options);
    },
    // Closes the program (its file watchers would keep the process alive); the output stays.
    buildEnd(error) {
      if (owner) return transpiler.buildEnd.call(this, error);
    },
  };
}

/** msw ships two modules that import each other; rollup's warning about it is msw's business, not ours. */
function onwarn(warning, warn) {
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('/node_modules/msw/'))) return;
  warn(warning);
}

// Chunk names carry a content hash: without a clean start, every build would
// leave the previous chunks in dist/, and `files: ["dist"]` would publish them.
// A hook of the first build, not a statement here: scripts/size.mjs imports
// this file to measure, and must not delete what it measures.
const cleanDist = () => ({ name: 'clean-dist', buildStart: () => rmSync('dist', { recursive: true, force: true }) });

/**
 * The one full TypeScript pass, as a child process: started by the first
 * build, awaited by the declaration builds, so that on two cores it runs
 * beside the JavaScript builds. Its errors fail the build.
 */
let typesPass;
function startTypesPass() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = ['-p', 'tsconfig.build.json', '--declaration', '--emitDeclarationOnly', '--declarationDir', TYPES_DIR, '--incremental', '--tsBuildInfoFile', `${TYPES_DIR}/tsbuildinfo`];
  if (process.stderr.isTTY) args.push('--pretty');
  return new Promise((done, fail) => {
    const child = execFile(process.execPath, [tsc, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      process.off('exit', stop);
      if (error) fail(new Error(`TypeScript found errors (tsc -p tsconfig.build.json):\n${stdout}${stderr}`));
      else done();
    });
    // A build that failed elsewhere ends the process: tsc ends with it.
    const stop = () => child.kill();
    process.on('exit', stop);
  });
}
const typesPassPlugin = ({ wait }) => ({
  name: 'types-pass',
  async buildStart() {
    typesPass ??= startTypesPass();
    // Not awaited by the first build: an unobserved rejection would end the process before the declaration builds report it.
    typesPass.catch(() => {});
    if (wait) await typesPass;
  },
});

export default [
  {
    input: npmEntries,
    external,
    onwarn,
    plugins: [cleanDist(), typesPassPlugin({ wait: false }), ts()],
    // No source maps: the code is not minified and reads as the source does (docs/performance.md, "What the package ships").
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', exports: 'named' },
    ],
  },
  ...scriptBundles.map(({ file, input, minify, ...options }) => ({
    input,
    onwarn,
    plugins: [resolve({ browser: true }), commonjs(), ts()],
    output: {
      file,
      format: 'iife',
      sourcemap: true,
      plugins: minify ? [terser({ ecma: 2020, compress: minify === 'mangle' ? false : { passes: 2 }, format: { comments: false } })] : [],
      ...options,
    },
  })),
  // The loader stub of the async snippet (README, "With a <script> tag"): tiny, no source map.
  {
    input: 'src/loader/loader.ts',
    onwarn,
    plugins: [ts()],
    output: {
      file: 'dist/engagekit.loader.js',
      format: 'es', // no imports or exports left: a classic script, without a second wrapper
      plugins: [terser({ ecma: 2020, toplevel: true, compress: { passes: 3, unsafe_arrows: true }, format: { comments: false } })],
    },
  },
  // One self-contained declaration file per npm entry, for both module systems, from tsc's declarations.
  ...Object.entries(npmEntries).map(([name, input]) => ({
    input: `${TYPES_DIR}/${input.replace(/\.ts$/, '.d.ts')}`,
    external,
    onwarn,
    plugins: [typesPassPlugin({ wait: true }), dts()],
    output: [
      { file: `dist/${name}.d.ts`, format: 'es' },
      { file: `dist/${name}.d.cts`, format: 'es' },
    ],
  })),
];
