import { http, HttpResponse } from 'msw';
import type { EngagementEvent } from '../core/protocol.js';
import { timestamp, uuidv4 } from './ids.js';
import { authorize, errorResponse, readJsonObject } from './respond.js';
import type { Store } from './store.js';

/** Seed 003's 403 body, for a token that is not a visitor's. */
export const EVENTS_FORBIDDEN = {
  message: "You don't have permissions to send a event message",
  debug_message: '',
};

export interface EventsContext {
  baseUrl: string;
  store: Store;
  now: () => number;
}

/** `POST /engagements/{engagement_id}/events`, as seed 003 describes it. */
export function eventsHandlers({ baseUrl, store, now }: EventsContext) {
  return [
    http.post<{ engagementId: string }>(`${baseUrl}/engagements/:engagementId/events`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', EVENTS_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const body = await readJsonObject(request);
      if (body instanceof Response) return body;
      // Extension: a client-generated key makes the POST idempotent (docs/protocol.md).
      const key = request.headers.get('Idempotency-Key');
      if (key !== null && (key.trim() === '' || key.length > 255)) {
        return errorResponse(400, {
          message: "Header 'Idempotency-Key' must be 1 to 255 characters",
          debug_message: `Got ${key.length} characters`,
        });
      }
      const { message } = body;
      if (typeof message !== 'string' || message.trim() === '') {
        return errorResponse(400, {
          message: "Parameter 'message' is required and must be a non-empty string",
          debug_message: `Got ${message === undefined ? 'no message' : JSON.stringify(message)}`,
        });
      }
      const seen = key === null ? undefined : auth.engagement.eventsByKey.get(key);
      if (seen) {
        if (seen.content !== message) {
          return errorResponse(409, {
            message: 'Idempotency-Key already used',
            debug_message: `Key '${key}' was used for a different message; use a new key for a new event`,
          });
        }
        return HttpResponse.json(seen);
      }
      const event: EngagementEvent = {
        timestamp: timestamp(now()),
        id: uuidv4(),
        engagement_id: auth.engagement.engagementId,
        sub_engagement_id: auth.engagement.subEngagementId,
        content: message,
        status: 'sent',
        sender: { type: 'visitor' },
        target: 'operator',
      };
      auth.engagement.events.push(event);
      if (key !== null) auth.engagement.eventsByKey.set(key, event);
      return HttpResponse.json(event);
    }),
  ];
}
