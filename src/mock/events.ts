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
      const { message } = body;
      if (typeof message !== 'string' || message.trim() === '') {
        return errorResponse(400, {
          message: "Parameter 'message' is required and must be a non-empty string",
          debug_message: `Got ${message === undefined ? 'no message' : JSON.stringify(message)}`,
        });
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
      return HttpResponse.json(event);
    }),
  ];
}
