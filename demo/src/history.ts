import { DEFAULT_FALLBACK_TEXT, type Transcript } from '../../src/index.js';
import { DEMO_PREFIX, type ServerLink } from './server-link.js';

/**
 * The transcript before this page loaded.
 *
 * The SDK's transcript (`visitor.transcript`) holds what reached this page
 * since it loaded: after a reload, the stream resumes after the last command
 * the page had (nothing runs twice), so the earlier commands do not come
 * again, and earlier events are not re-sent. The reference server still has
 * them all: the demo reads the engagement's commands and events through the
 * admin endpoints and shows them above the live transcript, as entries of
 * the same look.
 *
 * Only the commands the visitor already reported on: one it has not got yet
 * arrives on the stream and enters the live transcript. Their order: the
 * server has no time for a command and whole seconds for the rest, so the
 * page keeps the order in which it showed its entries (ids, in localStorage);
 * what it never showed (another device's) is placed by the server's times.
 */
export interface EarlierEntry {
  kind: 'command' | 'event';
  id: string;
  text: string;
  fallback: boolean;
}

const ORDER_LIMIT = 1_000;
const orderKey = (engagementId: string) => `${DEMO_PREFIX}order:${engagementId}`;

function storedOrder(engagementId: string): string[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(orderKey(engagementId)) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export async function readEarlier(link: ServerLink): Promise<EarlierEntry[]> {
  const [commands, events] = await Promise.all([link.commands(), link.events()]);
  const index = new Map(storedOrder(link.credentials.engagementId).map((id, i) => [id, i]));
  const items = [
    ...commands
      .filter((entry) => entry.result !== null)
      .map((entry) => ({
        entry: {
          kind: 'command' as const,
          id: entry.command.id,
          text: entry.command.content ?? DEFAULT_FALLBACK_TEXT,
          fallback: entry.command.content === null,
        },
        at: Date.parse(entry.result!.reported_at),
        // Commands before events in one second: a command is reported once it ran, an event as it happens.
        tie: 0,
      })),
    ...events.map((event) => ({
      entry: { kind: 'event' as const, id: event.id, text: event.content, fallback: false },
      at: Date.parse(event.timestamp),
      tie: 1,
    })),
  ];
  const position = (id: string) => index.get(id) ?? Infinity;
  // Stable: the server's own order (commands by seq, events oldest first) stays within a tie.
  items.sort((a, b) => {
    const [pa, pb] = [position(a.entry.id), position(b.entry.id)];
    if (pa !== Infinity && pb !== Infinity) return pa - pb;
    return a.at - b.at || a.tie - b.tie;
  });
  return items.map((item) => item.entry);
}

/** Keeps the order in which this page shows entries: the earlier ones, then each that enters `transcript`. */
export function rememberOrder(engagementId: string, earlier: readonly EarlierEntry[], transcript: Transcript): void {
  const ids = earlier.map((entry) => entry.id);
  const seen = new Set(ids);
  transcript.subscribe((_entries, change) => {
    let added = false;
    for (const entry of change.added) {
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      ids.push(entry.id);
      added = true;
    }
    if (!added) return;
    try {
      localStorage.setItem(orderKey(engagementId), JSON.stringify(ids.slice(-ORDER_LIMIT)));
    } catch {
      // Full or blocked: the server's times order the entries next time.
    }
  });
}
