// The async loader (dist/engagekit.loader.js, the README's snippet) and the
// script-tag bundle's install step (src/global.ts), run as a browser runs
// them: the built files, evaluated as classic scripts in happy-dom's window,
// against the reference server. `npm test` builds first (pretest).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Visitor } from '../../src/index.js';
import { useReferenceServer } from '../support/server.js';

const { backend } = useReferenceServer();

// Paths, not URLs: happy-dom's global URL is not Node's, and fs does not take it.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const LOADER = read('dist/engagekit.loader.js');
const BUNDLE = read('dist/engagekit.global.js');
/** Runs a script as a `<script>` tag would: non-module code in the page's global scope. */
const run = (code: string) => (0, eval)(code);

 
type Any = any;
const page = globalThis as Any;
const memory = () => {
  const items = new Map<string, string>();
  return { getItem: (k: string) => items.get(k) ?? null, setItem: (k: string, v: string) => void items.set(k, v), removeItem: (k: string) => void items.delete(k) };
};
const created: Any[] = [];
const optionsFor = (engagement: ReturnType<typeof backend.createEngagement>, extra: Record<string, unknown> = {}) => ({
  baseUrl: backend.baseUrl,
  engagementId: engagement.engagementId,
  token: engagement.visitorToken,
  storage: memory(),
  ...extra,
});

afterEach(() => {
  for (const visitor of created.splice(0)) visitor.close();
  delete page.EngageKit;
});

/** The README's inline snippet: the first ```html block of "With a <script> tag" that defines the stub. */
function readmeSnippet(): { html: string; code: string } {
  const readme = read('README.md');
  const block = [...readme.matchAll(/```html\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('_q'));
  if (!block) throw new Error('README.md: no snippet with the loader stub found');
  const code = /<script>\n?([\s\S]*?)<\/script>/.exec(block)![1]!;
  return { html: block, code };
}

describe('the loader stub', () => {
  it('defines window.EngageKit and nothing else', () => {
    const before = new Set(Object.keys(page));
    run(LOADER);
    expect(Object.keys(page).filter((key) => !before.has(key))).toEqual(['EngageKit']);
    expect(typeof page.EngageKit.createVisitor).toBe('function');
    expect(typeof page.EngageKit.ready).toBe('function');
    expect(page.EngageKit._q).toEqual([]);
  });

  it('does nothing when EngageKit exists: loaded twice, or after the bundle', () => {
    run(LOADER);
    const stub = page.EngageKit;
    stub.ready(() => {});
    run(LOADER);
    expect(page.EngageKit).toBe(stub);
    expect(stub._q).toHaveLength(1);

    delete page.EngageKit;
    run(BUNDLE);
    const real = page.EngageKit;
    run(LOADER);
    expect(page.EngageKit).toBe(real);
  });

  it('queues calls made before the bundle loads and replays them in order when it does', async () => {
    const engagement = backend.createEngagement();
    const order: string[] = [];
    run(LOADER);
    const stub = page.EngageKit;

    const visitor = stub.createVisitor(optionsFor(engagement, { handlers: { first: () => order.push('handler first') } }));
    expect(visitor.engagementId).toBe(engagement.engagementId);
    const changes: string[] = [];
    visitor.on('connection', ({ current }: Any) => changes.push(current.status));
    visitor.commands.register('second', () => order.push('handler second'));
    const one = visitor.recordEvent('one');
    const two = visitor.recordEvent('two');
    stub.ready((api: Any) => order.push(`ready ${api === page.EngageKit && !('_q' in api)}`));
    expect(stub._q.map((call: Any[]) => call[1])).toEqual(['createVisitor', 'on', 'register', 'recordEvent', 'recordEvent', 'ready']);
    expect(backend.getEvents(engagement.engagementId)).toEqual([]);

    run(BUNDLE);
    const real = page.EngageKit;
    created.push(visitor);
    expect(real).not.toBe(stub);
    expect(real._q).toBeUndefined();
    expect(order).toEqual(['ready true']);
    expect(stub._q).toEqual([]);

    expect((await one).content).toBe('one');
    expect((await two).content).toBe('two');
    expect(backend.getEvents(engagement.engagementId).map((e) => e.content)).toEqual(['one', 'two']);

    // The stub visitor now is the real one, live properties included.
    await vi.waitFor(() => expect(visitor.connection.status).toBe('open'));
    expect(changes).toContain('open');
    expect(visitor.transcript.entries.map((e: Any) => e.text)).toEqual(['one', 'two']);
    expect(visitor.commands.has('second')).toBe(true);
    expect(backend.connectedClients(engagement.engagementId)).toBe(1);

    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'first' } });
    backend.sendCustomCommand(engagement.engagementId, { properties: { name: 'second' } });
    await vi.waitFor(() => expect(order).toEqual(['ready true', 'handler first', 'handler second']));

    // References to the stub keep working after the load: they forward.
    const again = stub.createVisitor(optionsFor(backend.createEngagement()));
    created.push(again);
    expect(again.recordEvent).toBe(again.recordEvent);
    expect(typeof again.transcript.subscribe).toBe('function');
  });

  it('a queued on() returns an unsubscribe that works before and after the load', async () => {
    const engagement = backend.createEngagement();
    run(LOADER);
    const visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    const seen: string[] = [];
    const off = visitor.on('event:recorded', ({ event }: Any) => seen.push(event.content));
    const unregister = visitor.commands.register('x', () => {});
    run(BUNDLE);
    created.push(visitor);
    await visitor.recordEvent('heard');
    off();
    unregister();
    await Promise.resolve();
    await visitor.recordEvent('not heard');
    expect(seen).toEqual(['heard']);
    expect(visitor.commands.has('x')).toBe(false);
  });

  it('a queued recordEvent the SDK refuses rejects with its error; the others go on', async () => {
    const engagement = backend.createEngagement();
    run(LOADER);
    const visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    const bad = visitor.recordEvent('   ');
    const good = visitor.recordEvent('fine');
    run(BUNDLE);
    created.push(visitor);
    await expect(bad).rejects.toMatchObject({ name: 'InvalidArgumentError', argument: 'message' });
    await expect(good).resolves.toMatchObject({ content: 'fine' });
  });

  it('a queued createVisitor with a bad option is reported once; its visitor refuses everything with that error', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    run(LOADER);
    const visitor = page.EngageKit.createVisitor({ engagementId: 'x', token: 't' }); // no baseUrl
    visitor.on('connection', () => {});
    const recorded = visitor.recordEvent('lost');
    expect(() => run(BUNDLE)).not.toThrow();
    await expect(recorded).rejects.toMatchObject({ name: 'ConfigurationError', option: 'baseUrl' });
    expect(error).toHaveBeenCalledTimes(1);
    expect(String(error.mock.calls[0]![1])).toMatch(/baseUrl/);
    expect(() => visitor.connect()).toThrow(/baseUrl/);
  });
});

describe('the script-tag bundle loaded twice', () => {
  it('keeps the first copy and warns; no second connection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    run(BUNDLE);
    const first = page.EngageKit;
    run(BUNDLE);
    expect(page.EngageKit).toBe(first);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/loaded twice/);

    const engagement = backend.createEngagement();
    const a: Visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    created.push(a);
    await vi.waitFor(() => expect(a.connection.status).toBe('open'));
    const b: Visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    expect(b).toBe(a);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]![0])).toMatch(/already running on this page/);
    expect(backend.connectedClients(engagement.engagementId)).toBe(1);

    // Another engagement is another visitor; a closed visitor is replaced.
    const other: Visitor = page.EngageKit.createVisitor(optionsFor(backend.createEngagement()));
    created.push(other);
    expect(other).not.toBe(a);
    a.close();
    const c: Visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    created.push(c);
    expect(c).not.toBe(a);
    await vi.waitFor(() => expect(c.connection.status).toBe('open'));
    expect(backend.connectedClients(engagement.engagementId)).toBe(1);
  });

  it('a visitor the server refused is replaced by the next createVisitor (a new token), and stops for good', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.spyOn(console, 'error').mockImplementation(() => {});
    run(BUNDLE);
    const engagement = backend.createEngagement();
    const refused: Visitor = page.EngageKit.createVisitor(optionsFor(engagement, { token: 'expired-token' }));
    created.push(refused);
    await vi.waitFor(() => expect(refused.connection).toMatchObject({ status: 'closed', error: expect.anything() }));
    const next: Visitor = page.EngageKit.createVisitor(optionsFor(engagement));
    created.push(next);
    expect(next).not.toBe(refused);
    await expect(refused.recordEvent('late')).rejects.toMatchObject({ name: 'ClosedError' });
    await vi.waitFor(() => expect(next.connection.status).toBe('open'));
  });
});

describe('the README snippet', () => {
  it('is the built stub plus one line that adds the bundle as an async script', () => {
    const { code } = readmeSnippet();
    expect(code.startsWith(LOADER.trim()), 'README.md: the snippet must start with dist/engagekit.loader.js exactly; paste the built file').toBe(true);

    const appended: Any[] = [];
    vi.spyOn(document.head, 'appendChild').mockImplementation((node: Any) => (appended.push(node), node));
    run(code);
    expect(Array.isArray(page.EngageKit._q)).toBe(true);
    expect(appended).toHaveLength(1);
    expect(appended[0].tagName).toBe('SCRIPT');
    expect(appended[0].async).toBe(true);
    expect(appended[0].src).toMatch(/engagekit\.global\.js$/);
  });

  it('is a few hundred bytes', () => {
    const { code } = readmeSnippet();
    const min = Buffer.byteLength(code.trim());
    const gzip = gzipSync(code.trim(), { level: 9 }).length;
    console.info(`loader: dist/engagekit.loader.js ${Buffer.byteLength(LOADER)} B (${gzipSync(LOADER, { level: 9 }).length} B gzip); README snippet ${min} B (${gzip} B gzip)`);
    expect(gzip).toBeLessThan(512);
    expect(min).toBeLessThan(1024);
  });
});

describe('strict CSP and Trusted Types, statically', () => {
  // The e2e tests run the demo under the policy; these keep the shipped files free of what it forbids.
  const FORBIDDEN: Array<[string, RegExp]> = [
    ['eval', /\beval\s*\(/],
    ['the Function constructor', /\bFunction\s*\(/],
    ['innerHTML / outerHTML', /\b(inner|outer)HTML\b/],
    ['insertAdjacentHTML', /insertAdjacentHTML/],
    ['document.write', /document\.write/],
    ['string timers', /set(Timeout|Interval)\(\s*["'`]/],
    ['inline styles', /\.style\b|cssText|setAttribute\(\s*["']style/],
  ];
  it.each([['dist/engagekit.global.js'], ['dist/engagekit.loader.js']])('%s uses none of them', (file) => {
    const code = read(file);
    for (const [what, pattern] of FORBIDDEN) expect(code, `${file}: ${what}`).not.toMatch(pattern);
  });
});
