import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { rmSync } from 'node:fs';
import { dts } from 'rollup-plugin-dts';

// Chunk names carry a content hash: without a clean start, every build would
// leave the previous chunks in dist/, and `files: ["dist"]` would publish them.
// A hook of the first build, not a statement here: scripts/size.mjs imports
// this file to measure, and must not delete what it measures.
const cleanDist = () => ({ name: 'clean-dist', buildStart: () => rmSync('dist', { recursive: true, force: true }) });

/** npm entries: ESM + CJS, dependencies left to the consumer's bundler. */
const entries = {
  index: 'src/index.ts',
  mock: 'src/mock.ts',
  'mock-node': 'src/mock-node.ts',
  operator: 'src/operator.ts',
};

/** The demo's bundles (demo/public/<name>.js): msw, the reference server and the operator client included. */
const demoEntries = {
  'demo-app': 'demo/src/main.ts',
  'loader-app': 'demo/src/loader-page.ts',
};

// ws and node: built-ins only for the Node entry (mock-node), which loads them when the server starts.
const external = (id) => /^(nanoid|eventemitter3|msw|ws)(\/|$)/.test(id) || id.startsWith('node:');
const ts = () => typescript({ tsconfig: './tsconfig.build.json', outDir: 'dist', noEmitOnError: true });

export default [
  {
    input: entries,
    external,
    plugins: [cleanDist(), ts()],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named' },
    ],
  },
  // The script-tag build: everything bundled, minified. No `name`: src/global.ts
  // installs `window.EngageKit` itself (it must not overwrite a copy already loaded).
  {
    input: 'src/global.ts',
    plugins: [resolve({ browser: true }), commonjs(), ts()],
    output: {
      file: 'dist/engagekit.global.js',
      format: 'iife',
      sourcemap: true,
      plugins: [terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } })],
    },
  },
  // The reference server for a static site: window.EngageKitMock, msw bundled.
  // Minified (msw is most of it), with a source map for readable stack traces.
  {
    input: 'src/mock-global.ts',
    plugins: [resolve({ browser: true }), commonjs(), ts()],
    output: {
      file: 'dist/engagekit-mock.global.js',
      format: 'iife',
      sourcemap: true,
      plugins: [terser({ ecma: 2020, format: { comments: false } })],
    },
  },
  // The loader stub of the async snippet (README, "With a <script> tag"): tiny, no source map.
  {
    input: 'src/loader/loader.ts',
    plugins: [ts()],
    output: {
      file: 'dist/engagekit.loader.js',
      format: 'es', // no imports or exports left: a classic script, without a second wrapper
      plugins: [terser({ ecma: 2020, toplevel: true, compress: { passes: 3, unsafe_arrows: true }, format: { comments: false } })],
    },
  },
  // The demo's own code (demo/src): the reference server in a service worker and
  // the operator console. Built next to demo/public/index.html; not published.
  ...Object.entries(demoEntries).map(([name, input]) => ({
    input,
    plugins: [
      resolve({ browser: true }),
      commonjs(),
      typescript({ tsconfig: './demo/tsconfig.json', outDir: 'demo/public', noEmitOnError: true }),
    ],
    output: { file: `demo/public/${name}.js`, format: 'iife', sourcemap: true },
  })),
  // One self-contained declaration file per entry, for both module systems.
  ...Object.entries(entries).map(([name, input]) => ({
    input,
    external,
    plugins: [dts({ tsconfig: './tsconfig.build.json' })],
    output: [
      { file: `dist/${name}.d.ts`, format: 'es' },
      { file: `dist/${name}.d.cts`, format: 'es' },
    ],
  })),
];
