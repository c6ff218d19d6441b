import type { AdminCommandEntry, EngagementCredentials, EngagementEvent } from '../../src/mock.js';

/**
 * What the demo's pages need from the reference server beyond the API that
 * the SDK and the operator client speak: the engagement they share, its
 * records (through the admin endpoints, `/__engagekit/`, which both servers
 * answer below `baseUrl`), a signal after each request it answered, the
 * network faults, and a reset.
 *
 * Two servers stand behind it: the one in the page (msw's service worker,
 * `/` and `/csp.html`; reference-server.ts) and the local one that
 * demo/serve.mjs runs behind `/api` for the two-window pages (`/visitor.html`
 * and `/operator.html`; local-server.ts).
 */
export interface ServerLink {
  readonly kind: 'in-page' | 'local';
  /** `location.origin + '/api'` for both: the service worker or demo/serve.mjs answers there. */
  readonly baseUrl: string;
  readonly credentials: EngagementCredentials;
  /** The engagement's events, oldest first. */
  events(): Promise<EngagementEvent[]>;
  /** The engagement's commands in the server's order, with the visitor's results and read times. */
  commands(): Promise<AdminCommandEntry[]>;
  /** After each request the server answered, with its path below `baseUrl` (`/engagements/…/events`). */
  onRequest(listener: (method: string, path: string) => void): void;
  dropConnections(): Promise<void>;
  blockWebSockets(blocked: boolean): Promise<void>;
  /** Forgets every engagement and record and opens a new engagement; every window of the demo then reloads. */
  reset(): Promise<void>;
}

/** `GET {baseUrl}/__engagekit/…`: the admin endpoints answer without a token. */
export async function readAdmin<T>(baseUrl: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}/__engagekit${path}`, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /__engagekit${path}: ${response.status}`);
  return (await response.json()) as T;
}

export function adminReads(baseUrl: string, engagementId: string): Pick<ServerLink, 'events' | 'commands'> {
  const at = `/engagements/${encodeURIComponent(engagementId)}`;
  return {
    events: async () => (await readAdmin<{ events: EngagementEvent[] }>(baseUrl, `${at}/events`)).events,
    commands: async () => (await readAdmin<{ commands: AdminCommandEntry[] }>(baseUrl, `${at}/commands`)).commands,
  };
}

/** What the demo keeps in this browser's localStorage for an engagement, besides the SDK's own keys. */
export const DEMO_PREFIX = 'engagekit-demo:';

const FORGET_KEY = `${DEMO_PREFIX}forget`;

/**
 * Removes what this browser keeps for an engagement: the demo's keys and the
 * SDK's (`engagekit:<id>:…`). Now, and again at the next load
 * (`forgetLeftovers`): the page's visitor still writes its state as the page
 * unloads, after a reset.
 */
export function forgetEngagement(engagementId: string): void {
  try {
    removeKeysOf(engagementId);
    localStorage.setItem(FORGET_KEY, engagementId);
  } catch {
    // Site data blocked: nothing was kept either.
  }
}

/** At load, before any visitor: the keys of the engagement a reset left. */
export function forgetLeftovers(): void {
  try {
    const engagementId = localStorage.getItem(FORGET_KEY);
    if (engagementId) removeKeysOf(engagementId);
    localStorage.removeItem(FORGET_KEY);
  } catch {
    // As above.
  }
}

function removeKeysOf(engagementId: string): void {
  for (const key of Object.keys(localStorage)) {
    if (key.startsWith(`engagekit:${engagementId}:`) || (key.startsWith(DEMO_PREFIX) && key.endsWith(`:${engagementId}`))) {
      localStorage.removeItem(key);
    }
  }
}
