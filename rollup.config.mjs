import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

/** npm entries: ESM + CJS, dependencies left to the consumer's bundler. */
const entries = {
  index: 'src/index.ts',
  mock: 'src/mock/index.ts',
  operator: 'src/operator/index.ts',
};

const external = (id) => /^(eventemitter3|nanoid|msw)(\/|$)/.test(id);
const ts = () => typescript({ tsconfig: './tsconfig.build.json', outDir: 'dist', noEmitOnError: true });

export default [
  {
    input: entries,
    external,
    plugins: [ts()],
    output: [
      { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: true },
      { dir: 'dist', format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, exports: 'named' },
    ],
  },
  // The script-tag build: everything bundled, minified, `window.EngageKit`.
  {
    input: 'src/global.ts',
    plugins: [resolve({ browser: true }), commonjs(), ts()],
    output: {
      file: 'dist/engagekit.global.js',
      format: 'iife',
      name: 'EngageKit',
      sourcemap: true,
      plugins: [terser({ ecma: 2020, compress: { passes: 2 }, format: { comments: false } })],
    },
  },
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
