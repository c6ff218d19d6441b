import type { EngagementCredentials } from '../../src/mock.js';
import { adminReads, forgetEngagement, type ServerLink } from './server-link.js';

/**
 * The local reference server that demo/serve.mjs runs (`startMockServer`)
 * and passes through at `/api` on its own port: one server for every window
 * and device that opens /visitor.html or /operator.html, its state kept for
 * as long as `npm start` runs. The engagement they share, the reset, the
 * network faults and the feed of answered requests are demo/serve.mjs's
 * `/demo/` endpoints.
 */
export async function connectLocalServer(): Promise<ServerLink> {
  const baseUrl = `${location.origin}/api`;
  const response = await fetch('/demo/engagement', { cache: 'no-store' });
  const answer = (await response.json()) as EngagementCredentials & { debug_message?: string };
  if (!response.ok) throw new Error(`the local reference server is not running: ${answer.debug_message ?? response.status}`);
  const credentials: EngagementCredentials = answer;

  // One feed for the page; a reset from any window reloads every window, on the new engagement.
  const feed = new EventSource('/demo/activity');
  const listeners: ((method: string, path: string) => void)[] = [];
  feed.addEventListener('request', (event) => {
    const [method = '', path = ''] = (event as MessageEvent<string>).data.split(' ');
    for (const listener of listeners) listener(method, path);
  });
  feed.addEventListener('reset', () => {
    forgetEngagement(credentials.engagementId);
    location.reload();
  });
  const network = async (body: object) => {
    const sent = await fetch('/demo/network', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (!sent.ok) throw new Error(`POST /demo/network: ${sent.status}`);
  };

  return {
    kind: 'local',
    baseUrl,
    credentials,
    ...adminReads(baseUrl, credentials.engagementId),
    onRequest: (listener) => void listeners.push(listener),
    dropConnections: () => network({ drop: true }),
    blockWebSockets: (blocked) => network({ blockWebSockets: blocked }),
    async reset() {
      const sent = await fetch('/demo/reset', { method: 'POST' });
      if (!sent.ok) throw new Error(`POST /demo/reset: ${sent.status}`);
      // The feed's reset reloads this window too; this one does not wait for it.
      forgetEngagement(credentials.engagementId);
      location.reload();
    },
  };
}
