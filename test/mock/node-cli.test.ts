// @vitest-environment node
// `npx engagekit-mock`: the built command (bin/engagekit-mock.mjs → dist/mock-node.js)
// run as a user runs it, and its option parsing. `npm test` builds first (pretest).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/mock-node.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/engagekit-mock.mjs');

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist/mock-node.js'))) throw new Error('dist/mock-node.js is missing: run npm run build first');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves with stdout once it contains `text`. */
  waitFor(text: string): Promise<string>;
}

const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], bin = BIN): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk) => ((out += chunk), waiters.splice(0).forEach((wake) => wake())));
  child.stderr!.on('data', (chunk) => ((err += chunk), waiters.splice(0).forEach((wake) => wake())));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => (waiters.splice(0).forEach((wake) => wake()), resolve(code))));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    async waitFor(text) {
      while (!out.includes(text)) {
        if (child.exitCode !== null) throw new Error(`exited ${child.exitCode} before printing ${JSON.stringify(text)}:\n${out}\n${err}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return out;
    },
  };
}

describe('npx engagekit-mock', () => {
  it('prints its URLs and the start engagement (fixed ids and tokens), serves it, and stops on Ctrl+C', async () => {
    const cli = run(['--port', '0', '--engagement-id', 'demo-engagement', '--visitor-token', '$access_token', '--operator-token', 'operator-demo']);
    const out = await cli.waitFor('Ctrl+C to stop.');
    const url = /EngageKit reference server: (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain(`  WebSocket: ${url!.replace('http:', 'ws:')} (the command stream: ${url!.replace('http:', 'ws:')}/engagements/{engagementId}/stream)`);
    expect(out).toMatch(/engagementId {5}demo-engagement\n/);
    expect(out).toMatch(/visitorToken {5}\$access_token\n/);
    const listed = await (await fetch(`${url}/__engagekit/engagements`)).json();
    expect(listed.engagements).toEqual([expect.objectContaining({ engagementId: 'demo-engagement', visitorToken: '$access_token', operatorToken: 'operator-demo' })]);
    const event = await fetch(`${url}/engagements/demo-engagement/events`, {
      method: 'POST',
      headers: { Authorization: 'Bearer $access_token', 'Content-Type': 'application/json' },
      body: '{"message": "hello"}',
    });
    expect(event.status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await cli.exit).toBe(0);
  });

  it('--log prints a line per request; fault flags apply', async () => {
    const cli = run(['--port', '0', '--log', '--http-failure-rate', '1', '--http-faults', '429', '--retry-after', '7']);
    const out = await cli.waitFor('Ctrl+C to stop.');
    const url = /EngageKit reference server: (\S+)/.exec(out)![1];
    const answer = await fetch(`${url}/engagements/x/custom_commands`);
    expect([answer.status, answer.headers.get('retry-after')]).toEqual([429, '7']);
    await cli.waitFor('GET /engagements/x/custom_commands 429');
    cli.child.kill('SIGTERM');
    expect(await cli.exit).toBe(0);
  });

  it('--help prints the options and exits 0', async () => {
    const cli = run(['--help']);
    expect(await cli.exit).toBe(0);
    expect(cli.stdout()).toContain('Usage: engagekit-mock [options]');
    expect(cli.stdout()).toContain('--operator-secret <secret>');
  });

  it('an unknown or malformed option exits 2 and says which', async () => {
    const unknown = run(['--prot', '80']);
    expect(await unknown.exit).toBe(2);
    expect(unknown.stderr()).toContain("engagekit-mock: Unknown option '--prot'");
    const rate = run(['--ws-drop-rate', '2']);
    expect(await rate.exit).toBe(2);
    expect(rate.stderr()).toContain('engagekit-mock: --ws-drop-rate must be a number from 0 to 1, got "2"');
  });

  it('a port in use exits 1 and suggests another', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = run(['--port', String(port)]);
      expect(await cli.exit).toBe(1);
      expect(cli.stderr()).toContain(`engagekit-mock: port ${port} is in use: try --port ${port + 1}`);
    } finally {
      blocker.close();
    }
  });

  describe('without the optional peer dependencies', () => {
    let dir: string;
    beforeAll(() => {
      // A project where engagekit is installed and ws is not: every package of ours but ws, linked.
      dir = mkdtempSync(join(tmpdir(), 'engagekit-no-ws-'));
      const pkg = join(dir, 'node_modules/engagekit');
      mkdirSync(pkg, { recursive: true });
      for (const entry of ['dist', 'bin', 'package.json']) cpSync(join(ROOT, entry), join(pkg, entry), { recursive: true });
      for (const name of readdirSync(join(ROOT, 'node_modules'))) {
        if (name !== 'ws' && name !== '.bin') symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
      }
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('names the missing package and the command that installs it', async () => {
      const cli = run(['--port', '0'], join(dir, 'node_modules/engagekit/bin/engagekit-mock.mjs'));
      expect(await cli.exit).toBe(1);
      expect(cli.stderr()).toContain('The EngageKit reference server needs the packages msw and ws, and "ws" is not installed. They are optional peer dependencies of engagekit: npm install -D msw ws');
    });
  });
});

describe('parseCommandLine', () => {
  it('turns the flags into startMockServer options', () => {
    expect(
      parseCommandLine([
        '--port', '8080', '--host', '0.0.0.0', '--engagement-id', 'e', '--sub-engagement-id', 's', '--visitor-token', 'v', '--operator-token', 'o',
        '--operator-secret', 'shh', '--http-failure-rate', '0.2', '--http-faults', '5xx, network', '--retry-after', '3', '--latency', '100-300',
        '--ws-drop-rate', '0.1', '--ws-duplicate-rate', '0', '--ws-reorder-rate', '1',
      ]),
    ).toEqual({
      help: false,
      log: false,
      options: {
        port: 8080,
        host: '0.0.0.0',
        engagement: { engagementId: 'e', subEngagementId: 's', visitorToken: 'v', operatorToken: 'o' },
        operatorSecret: 'shh',
        faults: { httpFailureRate: 0.2, httpFaults: ['5xx', 'network'], retryAfter: 3, latency: [100, 300], wsDropRate: 0.1, wsDuplicateRate: 0, wsReorderRate: 1 },
      },
    });
    expect(parseCommandLine([])).toEqual({ help: false, log: false, options: { port: 5174, host: '127.0.0.1', engagement: {} } });
    expect(parseCommandLine(['--latency', '250']).help === false && parseCommandLine(['--latency', '250'])).toMatchObject({ options: { faults: { latency: 250 } } });
  });

  it.each([
    [['--port=-1'], '--port must be an integer from 0 to 65535, got "-1"'],
    [['--port', '70000'], '--port must be an integer from 0 to 65535, got "70000"'],
    [['--port', '80.5'], '--port must be an integer from 0 to 65535, got "80.5"'],
    [['--http-faults', '5xx,teapot'], '--http-faults must be a comma-separated list of 5xx, 429, lost-response, network, got "5xx,teapot"'],
    [['--latency', '300-100'], '--latency must be milliseconds (250) or a range (100-500), got "300-100"'],
    [['--visitor-token', ' '], '--visitor-token must not be empty'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
