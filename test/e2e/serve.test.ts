// @vitest-environment node
// demo/serve.mjs and what the build puts next to it; no browser needed.
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoServer, STRICT_CSP } from '../../demo/serve.mjs';
import { ROOT } from './browser.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the demo server', () => {
  let server: Awaited<ReturnType<typeof startDemoServer>>;
  let origin = '';
  beforeAll(async () => {
    server = await startDemoServer({ port: 0 });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it("serves MSW's worker script, generated at build time for the installed msw (npx msw init)", async () => {
    const response = await fetch(`${origin}/mockServiceWorker.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/javascript/);
    const { version } = JSON.parse(read('node_modules/msw/package.json'));
    expect(await response.text()).toContain(`const PACKAGE_VERSION = '${version}'`);
    // Generated, not committed.
    expect(read('.gitignore').split('\n')).toContain('demo/public/mockServiceWorker.js');
  });

  it("serves the demo page, its bundle and the SDK's script-tag bundle and loader", async () => {
    for (const path of ['/', '/csp.html', '/loader.html', '/demo-app.js', '/loader-app.js', '/site.js', '/demo.css', '/dist/engagekit.global.js', '/dist/engagekit.loader.js']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(200);
    }
    const page = await (await fetch(`${origin}/`)).text();
    expect(page).toContain('<script src="/dist/engagekit.global.js"></script>');
    expect(page).not.toMatch(/<script>|style=/); // nothing inline: the same page runs under the strict CSP
  });

  it('serves the same page at /csp.html with the strict policy, and / without', async () => {
    const [plain, strict] = await Promise.all([fetch(`${origin}/`), fetch(`${origin}/csp.html`)]);
    expect(await strict.text()).toBe(await plain.text());
    expect(plain.headers.get('content-security-policy')).toBeNull();
    expect(strict.headers.get('content-security-policy')).toBe(STRICT_CSP);
    expect(STRICT_CSP).toBe(
      "script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; require-trusted-types-for 'script'; trusted-types default",
    );
  });

  it('serves /visitor.html, the demo page on the local reference server, and /operator.html, with nothing inline', async () => {
    const text = async (path: string) => (await fetch(`${origin}${path}`)).text();
    const [index, visitor, operator] = await Promise.all([text('/'), text('/visitor.html'), text('/operator.html')]);
    expect(index).toContain('<body data-server="in-page">');
    expect(visitor).toBe(index.replace('<body data-server="in-page">', '<body data-server="local">'));
    expect(operator).toContain('<body data-server="local" data-page="operator">');
    expect(operator).toContain('<script src="/demo-app.js"></script>');
    for (const page of [visitor, operator]) expect(page).not.toMatch(/<script>|style=/);
  });

  it('passes /api to the local reference server, HTTP and the command stream, and shares one engagement through /demo/', async () => {
    const engagement = (await (await fetch(`${origin}/demo/engagement`)).json()) as { engagementId: string; operatorToken: string; visitorToken: string };
    expect(engagement).toMatchObject({ engagementId: expect.any(String), operatorToken: expect.any(String), visitorToken: expect.any(String) });
    expect(await (await fetch(`${origin}/demo/engagement`)).json()).toEqual(engagement); // the same for every window
    const at = `${origin}/api/engagements/${engagement.engagementId}`;
    const put = await fetch(`${at}/custom_commands/${crypto.randomUUID()}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${engagement.operatorToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ content: 'Hello', properties: { name: 'showMessage' } }),
    });
    expect(put.status).toBe(200);
    const commands = (await (await fetch(`${origin}/api/__engagekit/engagements/${engagement.engagementId}/commands`)).json()) as { commands: unknown[] };
    expect(commands.commands).toHaveLength(1);
    expect((await fetch(`${origin}/api/no-such-endpoint`)).status).toBe(404);

    // The stream's WebSocket upgrade reaches it too.
    const { WebSocket } = await import('ws');
    const socket = new WebSocket(`${origin.replace('http', 'ws')}/api/engagements/${engagement.engagementId}/stream`);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    socket.close();

    // A reset: a new engagement, the old one gone.
    const next = (await (await fetch(`${origin}/demo/reset`, { method: 'POST' })).json()) as { engagementId: string };
    expect(next.engagementId).not.toBe(engagement.engagementId);
    expect((await fetch(`${origin}/api/__engagekit/engagements/${engagement.engagementId}/events`)).status).toBe(404);
    expect((await (await fetch(`${origin}/demo/engagement`)).json()).engagementId).toBe(next.engagementId);
  });

  it('without the local reference server (api: false), /api and /demo/ say so', async () => {
    const bare = await startDemoServer({ port: 0, api: false });
    try {
      const at = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
      for (const path of ['/api/__engagekit/engagements', '/demo/engagement']) {
        const response = await fetch(`${at}${path}`);
        expect(response.status, path).toBe(503);
        expect(await response.json(), path).toMatchObject({ message: 'No local reference server' });
      }
      expect((await fetch(`${at}/`)).status).toBe(200);
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  it('serves nothing outside demo/public and dist', async () => {
    for (const path of ['/package.json', '/../package.json', '/%2e%2e/package.json', '/dist/../package.json', '/src/index.ts', '/demo/serve.mjs', '/%E0%A4%A']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status, path).toBe(404);
    }
  });
});

describe('the quick start', () => {
  const pkg = JSON.parse(read('package.json'));

  it('`npm start` builds everything the demo needs (unless nothing changed since the last build), then serves it', () => {
    expect(pkg.scripts.start).toBe('node scripts/build.mjs --if-stale && node demo/serve.mjs');
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    // The build wrote MSW's worker for the demo, and for the package (beside dist/engagekit-mock.global.js).
    expect(read('demo/public/mockServiceWorker.js')).toContain('Mock Service Worker');
    expect(read('dist/mockServiceWorker.js')).toBe(read('demo/public/mockServiceWorker.js'));
    expect(read('rollup.config.mjs')).toMatch(/demo\/src\/main\.ts/);
  });

  it("the README's first command is npm ci && npm start, and it shows the demo's screenshot", () => {
    const readme = read('README.md');
    expect(/```sh\n([^\n]*)/.exec(readme)![1]).toMatch(/^npm ci && npm start\b/);
    expect(readme).toContain('](docs/screenshots/demo.png)');
    const png = readFileSync(join(ROOT, 'docs/screenshots/demo.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(existsSync(join(ROOT, 'demo/public/index.html'))).toBe(true);
  });
});
