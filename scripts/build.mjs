#!/usr/bin/env node
// Builds dist/ and the demo's scripts (demo/public/): the builds of
// rollup.config.mjs, and MSW's worker script (`msw init`) beside them.
//
//   node scripts/build.mjs              always builds (npm run build)
//   node scripts/build.mjs --if-stale   builds only if something changed since the last build (npm start, npm test)
//   node scripts/build.mjs --timings    also prints when each rollup build ended
//
// "Changed": a file of INPUTS (its content, not its time), or an output
// deleted or edited since. The record of the last build is kept in
// .build/stamp.json (.build/ also holds tsc's declarations, rollup.config.mjs).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(ROOT, '.build/stamp.json');

/** What the build reads: files, or folders taken whole (less the tests next to the sources, which it does not build). */
export const INPUTS = [
  'src',
  'demo/src',
  'rollup.config.mjs',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
  'package-lock.json',
  'scripts/build.mjs',
];
/** What it writes: every file below these is recorded, and checked by --if-stale. */
export const OUTPUTS = [
  'dist',
  'demo/public/demo-app.js',
  'demo/public/demo-app.js.map',
  'demo/public/loader-app.js',
  'demo/public/loader-app.js.map',
  'demo/public/mockServiceWorker.js',
];

const filesBelow = (root, path) => {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath ?? entry.path, entry.name))) // .path: Node < 20.12
    .sort();
};

/** A hash of the inputs' paths and contents. */
export function inputsHash(root = ROOT, inputs = INPUTS) {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((path) => filesBelow(root, path)).filter((file) => !file.endsWith('.test.ts'))) {
    hash.update(`${file}\0`).update(readFileSync(join(root, file))).update('\0');
  }
  return hash.digest('hex');
}

/** Size and modification time of every output: an output deleted, added or edited since the build makes it stale. */
export function outputsState(root = ROOT, outputs = OUTPUTS) {
  return Object.fromEntries(
    outputs
      .flatMap((path) => filesBelow(root, path))
      .map((file) => {
        const { size, mtimeMs } = statSync(join(root, file));
        return [file, `${size} ${mtimeMs}`];
      }),
  );
}

/** True when `stamp` (what writeStamp saved, or undefined) still describes the inputs and the outputs. */
export function isUpToDate(stamp, root = ROOT, inputs = INPUTS, outputs = OUTPUTS) {
  if (!stamp || stamp.inputs !== inputsHash(root, inputs)) return false;
  const before = Object.entries(stamp.outputs ?? {});
  const now = outputsState(root, outputs);
  return before.length > 0 && before.length === Object.keys(now).length && before.every(([file, state]) => now[file] === state);
}

const readStamp = () => (existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) : undefined);

/**
 * Runs the builds of rollup.config.mjs side by side in this process; `timings(label, ms)` as each ends.
 * Side by side, not one after the other as `rollup -c` does: most of a build is rollup and TypeScript on
 * this thread, but terser runs in worker threads and tsc in a child process, and in sequence this thread
 * waited for them (a third of the wall time on two cores).
 * The first build empties dist/ as it starts (rollup.config.mjs, `cleanDist`): the others start once its
 * buildStart hooks have run, so that none of them can write into dist/ before it is emptied.
 */
async function rollupBuilds(timings) {
  const { rollup } = await import('rollup');
  const { loadConfigFile } = await import('rollup/loadConfigFile');
  const { options, warnings } = await loadConfigFile(join(ROOT, 'rollup.config.mjs'));
  const started = performance.now();
  const build = async ({ output, ...input }) => {
    const bundle = await rollup(input);
    try {
      await Promise.all(output.map((out) => bundle.write(out)));
    } finally {
      await bundle.close();
    }
    timings?.(output.map((out) => relative(ROOT, out.file ?? out.dir)).join(', '), performance.now() - started);
  };
  try {
    const [first, ...rest] = options;
    let firstStarted;
    const firstReady = new Promise((resolve, reject) => (firstStarted = { resolve, reject }));
    // A plugin added last: rollup runs the buildStart hooks in the order of the plugins.
    const firstBuild = build({ ...first, plugins: [...first.plugins, { name: 'first-build-started', buildStart: () => firstStarted.resolve() }] });
    firstBuild.catch(firstStarted.reject); // failed before it started: the others never start
    await Promise.all([firstBuild, firstReady.then(() => Promise.all(rest.map(build)))]);
  } finally {
    // In rollup's own words, anything the config did not expect (rollup.config.mjs filters the known ones).
    warnings.flush();
  }
}

/**
 * Copies MSW's service worker, for the installed msw version, into
 * demo/public/ (the demo's reference server runs in it). Its success message
 * ends with next steps for a new MSW user ("Continue by describing the
 * network…"), which this project has done: it is shown only if it fails.
 * Run beside the rollup builds; `copyWorkerToDist` then puts the same file
 * into dist/ (the package ships it beside dist/engagekit-mock.global.js),
 * which the first rollup build empties as it starts.
 */
async function mswInit() {
  const cli = join(dirname(createRequire(import.meta.url).resolve('msw/package.json')), 'cli/index.js');
  const ended = new AbortController();
  const stop = () => ended.abort(); // a build that failed meanwhile ends the process: msw init ends with it
  process.on('exit', stop);
  try {
    await promisify(execFile)(process.execPath, [cli, 'init', 'demo/public', '--no-save'], { cwd: ROOT, signal: ended.signal });
  } catch (error) {
    throw new Error(`msw init demo/public failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`, { cause: error });
  } finally {
    process.off('exit', stop);
  }
}
const copyWorkerToDist = () => copyFileSync(join(ROOT, 'demo/public/mockServiceWorker.js'), join(ROOT, 'dist/mockServiceWorker.js'));

function formatError(error) {
  const where = error.loc ? `${relative(ROOT, error.loc.file ?? error.id ?? '')}:${error.loc.line}:${error.loc.column}\n` : error.id ? `${relative(ROOT, error.id)}\n` : '';
  return `${error.plugin ? `[${error.plugin}] ` : ''}${error.message}\n${where}${error.frame ? `${error.frame}\n` : ''}`;
}

async function main(argv) {
  if (argv.includes('--if-stale') && isUpToDate(readStamp())) {
    console.log('The build is up to date: nothing changed since the last one.');
    return 0;
  }
  console.log('Building dist/ and the demo…');
  const started = performance.now();
  const inputs = inputsHash(); // before building: a file edited meanwhile makes the next run build again
  try {
    const timings = argv.includes('--timings') ? (label, ms) => console.log(`  ${(ms / 1000).toFixed(1).padStart(5)} s  ${label}`) : undefined;
    await Promise.all([rollupBuilds(timings), mswInit()]);
    copyWorkerToDist();
  } catch (error) {
    console.error(`\nBuild failed: ${formatError(error)}`);
    return 1;
  }
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, JSON.stringify({ inputs, outputs: outputsState() }, null, 1));
  console.log(`Built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const code = await main(process.argv.slice(2));
  // A failed build ends the process itself: when a syntax error stops @rollup/plugin-typescript's
  // program as it is created, the plugin has no program to close, and its file watchers would
  // keep the process alive for ever.
  if (code === 0) process.exitCode = 0;
  else process.exit(code);
}
