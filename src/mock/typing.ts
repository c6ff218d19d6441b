import { http, HttpResponse, type HttpHandler } from 'msw';
import { type ErrorBody } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';
import { authorize, errorResponse, readJsonObject } from './respond.js';
import type { EngagementRecord, Role, Store } from './store.js';
import type { ServerFrame, TypingFrame, TypingStatus, TypingView } from '../protocol/wire.js';

/**
 * Typing indicators after Engage Digital's Send API: `POST /engagements/{id}/typing`
 * with `{"action": "typing.start" | "typing.stop", "params": {"preview"?}}`,
 * from the visitor or the operator, answered `ok`. The operator's typing goes
 * to the visitor's stream; the visitor's is read with `GET .../typing`.
 */

/** Engage Digital's 429 text, verbatim. */
export const TYPING_TOO_MANY = 'too many typing requests, please try again in a few seconds';
/** Typing requests each sender may make per window; every request counts, valid or not. */
export const TYPING_LIMIT = 10;
export const TYPING_WINDOW_MS = 10_000;
/** A start holds this long without another start: a sender that vanished stops typing by itself. */
export const TYPING_TTL_MS = 10_000;
/** Longer previews are cut (by code point), not refused: it is only a preview. */
export const MAX_PREVIEW_LENGTH = 1_000;

export const TYPING_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to send typing indicators",
  debug_message: "Only the engagement's visitor and operator can send typing indicators",
};
export const TYPING_READ_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to read typing indicators",
  debug_message: "Only the engagement's operator can read the visitor's typing",
};

export interface TypingContext {
  baseUrl: string;
  store: Store;
  now: () => number;
  broadcast: (engagementId: string, frame: ServerFrame) => void;
}

export interface TypingService {
  handlers: HttpHandler[];
  /** What a (re)connecting visitor gets after `ready`: the operator's typing, if it goes on. */
  frames(record: EngagementRecord): ServerFrame[];
  status(record: EngagementRecord): TypingStatus;
  /** Cancels the expiry timers (reset). */
  clear(): void;
}

export function createTypingService({ baseUrl, store, now, broadcast }: TypingContext): TypingService {
  const expiries = new Set<ReturnType<typeof setTimeout>>();

  const view = (record: EngagementRecord, role: Role): TypingView => {
    const state = record.typing[role];
    if (!state || state.until <= now()) return { active: false };
    return state.preview === undefined ? { active: true } : { active: true, preview: state.preview };
  };
  const operatorFrame = (record: EngagementRecord): TypingFrame => ({ type: 'typing', sender: 'operator', ...view(record, 'operator') });

  /** Seconds until the sender may type again, or 0 when under the limit; records the request. */
  const throttle = (record: EngagementRecord, role: Role): number => {
    const at = now();
    const recent = (record.typingRequests[role] = record.typingRequests[role].filter((t) => t > at - TYPING_WINDOW_MS));
    if (recent.length >= TYPING_LIMIT) return Math.max(1, Math.ceil((recent[0]! + TYPING_WINDOW_MS - at) / 1000));
    recent.push(at);
    return 0;
  };

  const set = (record: EngagementRecord, role: Role, preview: string | undefined) => {
    if (preview === undefined) delete record.typing[role];
    else record.typing[role] = { preview: preview || undefined, until: now() + TYPING_TTL_MS };
    if (role !== 'operator') return;
    broadcast(record.engagementId, operatorFrame(record));
    if (preview === undefined) return;
    // Tell the visitor when a start runs out without a stop (a console closed mid-word).
    const state = record.typing.operator;
    const timer = setTimeout(() => {
      expiries.delete(timer);
      if (record.typing.operator !== state) return;
      delete record.typing.operator;
      broadcast(record.engagementId, operatorFrame(record));
    }, TYPING_TTL_MS);
    expiries.add(timer);
  };

  const handlers = [
    http.post<{ engagementId: string }>(`${baseUrl}/engagements/:engagementId/typing`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, ['visitor', 'operator'], TYPING_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const wait = throttle(auth.engagement, auth.role);
      if (wait > 0) {
        return errorResponse(
          429,
          { message: TYPING_TOO_MANY, debug_message: `At most ${TYPING_LIMIT} typing requests per ${TYPING_WINDOW_MS / 1000} s per sender; retry in ${wait} s` },
          { 'Retry-After': String(wait) },
        );
      }
      const json = await readJsonObject(request);
      if (json instanceof Response) return json;
      const { action, params: input } = json;
      if (action === undefined || !isJsonObject(input)) {
        return errorResponse(400, {
          message: 'Invalid request format',
          debug_message: "The body must have 'action' and 'params' (an object), e.g. {\"action\": \"typing.start\", \"params\": {}}",
        });
      }
      if (action !== 'typing.start' && action !== 'typing.stop') {
        return errorResponse(422, {
          message: 'Invalid action',
          debug_message: `action must be 'typing.start' or 'typing.stop', got ${JSON.stringify(action)}`,
        });
      }
      const { preview } = input as Record<string, unknown>;
      if (preview !== undefined && preview !== null && typeof preview !== 'string') {
        return errorResponse(422, {
          message: 'Invalid resource format',
          debug_message: `params.preview must be a string, got ${JSON.stringify(preview)}`,
        });
      }
      const text = typeof preview === 'string' ? Array.from(preview).slice(0, MAX_PREVIEW_LENGTH).join('') : '';
      set(auth.engagement, auth.role, action === 'typing.start' ? text : undefined);
      // Engage Digital: "the response should be a HTTP 200 with ok as body".
      return HttpResponse.text('ok');
    }),

    http.get<{ engagementId: string }>(`${baseUrl}/engagements/:engagementId/typing`, ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'operator', TYPING_READ_FORBIDDEN);
      if (auth instanceof Response) return auth;
      return HttpResponse.json(status(auth.engagement));
    }),
  ];

  const status = (record: EngagementRecord): TypingStatus => ({ visitor: view(record, 'visitor'), operator: view(record, 'operator') });

  return {
    handlers,
    frames: (record) => (view(record, 'operator').active ? [operatorFrame(record)] : []),
    status,
    clear() {
      for (const timer of expiries) clearTimeout(timer);
      expiries.clear();
    },
  };
}
