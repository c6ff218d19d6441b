// @vitest-environment node
// Server-side rendering: the npm package imported where there is no window.
// Importing does nothing; a visitor created there stays idle (no socket, no
// request, no timer) until it is created, or connected, in a browser.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { ROOT } from './browser.js';

const dist = (file: string) => pathToFileURL(join(ROOT, 'dist', file)).href;

describe('server-side rendering (no window)', () => {
  it('importing every entry, ESM and CommonJS, does not throw and defines no global', async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe('undefined');
    const before = new Set(Object.keys(globalThis));
    const esm = await import(dist('index.js'));
    await import(dist('operator.js'));
    await import(dist('mock.js'));
    const cjs = createRequire(import.meta.url)(join(ROOT, 'dist/index.cjs'));
    expect(typeof esm.createVisitor).toBe('function');
    expect(typeof cjs.createVisitor).toBe('function');
    expect(Object.keys(globalThis).filter((key) => !before.has(key))).toEqual([]);
  });

  it('a visitor created on the server does not start: no socket, no request', async () => {
    const { createVisitor } = await import(dist('index.js'));
    const WebSocket = vi.fn();
    const fetch = vi.fn();
    const visitor = createVisitor({ baseUrl: 'https://api.example.com', engagementId: 'e-1', token: 't', WebSocket, fetch });
    expect(visitor.connection).toEqual({ status: 'idle' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(WebSocket).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
    expect(visitor.connection).toEqual({ status: 'idle' });
    visitor.close();
  });
});
