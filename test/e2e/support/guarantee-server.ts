// The test server of the real-Chromium guarantee tests: serves the test page
// and the built SDK, and collects what the pages report (handler runs,
// pagehide, log lines) through keepalive requests, which outlive their page.
import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { ROOT } from '../browser.js';

export interface Report {
  kind: 'run' | 'pagehide' | 'log';
  tab: string;
  id?: string;
  i?: number;
  afterPagehide?: boolean;
  level?: string;
  text?: string;
}

export interface GuaranteeServer {
  readonly origin: string;
  readonly reports: Report[];
  /** Handler runs per command id. */
  runs(): Map<string, number>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

export async function startGuaranteeServer(): Promise<GuaranteeServer> {
  const reports: Report[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/report') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        try {
          reports.push(JSON.parse(body) as Report);
        } catch {
          // A report cut off as its page died: nothing to count.
        }
        response.writeHead(204).end();
      });
      return;
    }
    const path = normalize(url.pathname).replace(/^(\.\.[/\\])+/, '');
    // ENGAGEKIT_GUARANTEE_DIST: another build's dist/ (to show what these tests catch in an older version).
    const dist = process.env.ENGAGEKIT_GUARANTEE_DIST ?? join(ROOT, 'dist');
    const file = path.startsWith('/dist/') ? join(dist, path.slice(6)) : path.startsWith('/pages/') ? join(ROOT, 'test/e2e', path) : undefined;
    if (!file || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reports,
    runs() {
      const runs = new Map<string, number>();
      for (const report of reports) if (report.kind === 'run') runs.set(report.id!, (runs.get(report.id!) ?? 0) + 1);
      return runs;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
