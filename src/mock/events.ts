import { http, HttpResponse } from 'msw';
import { MAX_BATCH_ITEMS, type EngagementEvent, type ErrorBody } from '../protocol/wire.js';
import { timestamp, uuidv4 } from './ids.js';
import { authorize, errorResponse, readJsonObject } from './respond.js';
import type { EngagementRecord, Store } from './store.js';

/** Glia's 403 body, for a token that is not a visitor's. */
export const EVENTS_FORBIDDEN = {
  message: "You don't have permissions to send a event message",
  debug_message: '',
};

/** Most events in one `POST .../events/batch`. */
export const MAX_EVENTS_PER_BATCH = MAX_BATCH_ITEMS;

export interface EventsContext {
  baseUrl: string;
  store: Store;
  now: () => number;
}

type Stored = EngagementEvent | { status: 400 | 409; body: ErrorBody };

/**
 * Stores one event, or says why not: the checks of Glia's `POST .../events`
 * and of the `Idempotency-Key` extension. Shared by the single and the batch
 * endpoint, so both judge an event alike.
 */
function storeEvent(record: EngagementRecord, key: string | null, message: unknown, now: () => number): Stored {
  if (key !== null && (key.trim() === '' || key.length > 255)) {
    return { status: 400, body: { message: "Header 'Idempotency-Key' must be 1 to 255 characters", debug_message: `Got ${key.length} characters` } };
  }
  if (typeof message !== 'string' || message.trim() === '') {
    return {
      status: 400,
      body: {
        message: "Parameter 'message' is required and must be a non-empty string",
        debug_message: `Got ${message === undefined ? 'no message' : JSON.stringify(message)}`,
      },
    };
  }
  const seen = key === null ? undefined : record.eventsByKey.get(key);
  if (seen) {
    if (seen.content === message) return seen;
    return {
      status: 409,
      body: { message: 'Idempotency-Key already used', debug_message: `Key '${key}' was used for a different message; use a new key for a new event` },
    };
  }
  const event: EngagementEvent = {
    timestamp: timestamp(now()),
    id: uuidv4(),
    engagement_id: record.engagementId,
    sub_engagement_id: record.subEngagementId,
    content: message,
    status: 'sent',
    sender: { type: 'visitor' },
    target: 'operator',
  };
  record.events.push(event);
  if (key !== null) record.eventsByKey.set(key, event);
  return event;
}

/** `POST /engagements/{engagement_id}/events`, as Glia's REST API describes it, and its batch form (an extension). */
export function eventsHandlers({ baseUrl, store, now }: EventsContext) {
  const path = `${baseUrl}/engagements/:engagementId/events`;
  return [
    http.post<{ engagementId: string }>(path, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', EVENTS_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const body = await readJsonObject(request);
      if (body instanceof Response) return body;
      // Extension: a client-generated key makes the POST idempotent (docs/protocol.md).
      const stored = storeEvent(auth.engagement, request.headers.get('Idempotency-Key'), body.message, now);
      return 'body' in stored ? errorResponse(stored.status, stored.body) : HttpResponse.json(stored);
    }),

    // Extension: several events in one request, stored in order, each as the
    // single POST would store it (what a page sends as it unloads).
    http.post<{ engagementId: string }>(`${path}/batch`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', EVENTS_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const body = await readJsonObject(request);
      if (body instanceof Response) return body;
      const { events } = body;
      if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS_PER_BATCH) {
        return errorResponse(400, {
          message: `Parameter 'events' must be an array of 1 to ${MAX_EVENTS_PER_BATCH} events`,
          debug_message: `Got ${Array.isArray(events) ? `${events.length} items` : events === undefined ? 'nothing' : typeof events}`,
        });
      }
      const answers = events.map((item: unknown) => {
        const { idempotency_key: key, message } = (item ?? {}) as Record<string, unknown>;
        if (key !== undefined && typeof key !== 'string') {
          return { error: { status: 400, message: "Field 'idempotency_key' must be a string", debug_message: `Got ${JSON.stringify(key)}` } };
        }
        const stored = storeEvent(auth.engagement, key ?? null, message, now);
        return 'body' in stored ? { error: { status: stored.status, ...stored.body } } : stored;
      });
      return HttpResponse.json({ events: answers });
    }),
  ];
}
