import { http, HttpResponse, type HttpHandler } from 'msw';
import type { AdminCommandEntry, AdminEngagement, AdminEngagementInit, ErrorBody } from '../protocol/wire.js';
import { errorResponse, readJsonObject } from './respond.js';
import type { FaultCounts, MockFaults } from './faults.js';
import type { EngagementRecord, Store } from './store.js';

/**
 * The reference server's own endpoints, for scripts, test harnesses and a
 * second window (docs/protocol.md, "Admin endpoints"): under the reserved
 * prefix `/__engagekit/`, no token, never faulted. They do what the
 * `MockBackend` methods do, over HTTP, so that a process that is not the one
 * running the server (curl, a browser test, another tab) can do it too.
 */

/** The reserved path prefix, below `baseUrl`. */
export const ADMIN_PREFIX = '/__engagekit';

const INIT_FIELDS = ['engagementId', 'subEngagementId', 'visitorToken', 'operatorToken'] as const;

/** Snake case on the wire, like the rest of the API. */
export function adminCommands(record: EngagementRecord): AdminCommandEntry[] {
  return record.commands.map(({ seq, command, result, readAt }) => ({ seq, command, result, read_at: readAt ?? null }));
}

export interface AdminContext {
  baseUrl: string;
  store: Store;
  /** `MockBackend.createEngagement`: the checks and the store are its. */
  createEngagement(init: AdminEngagementInit): AdminEngagement;
  reset(): void;
  setFaults(faults: MockFaults): void;
  faults(): MockFaults;
  readonly faultCounts: FaultCounts;
}

const notFound = (what: string, debug: string): Response => errorResponse(404, { message: `${what} not found`, debug_message: debug });

/** An empty body is `{}`: `curl -X POST` sends none. */
async function readOptionalObject(request: Request): Promise<Record<string, unknown> | Response> {
  if ((await request.clone().text()) === '') return {};
  return readJsonObject(request);
}

/** Why an init cannot be used (400 or 409), checked before anything is created. */
function checkInit(store: Store, body: Record<string, unknown>): { status: 400 | 409; body: ErrorBody } | AdminEngagementInit {
  const init: AdminEngagementInit = {};
  for (const field of INIT_FIELDS) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.trim() === '' || value.length > 255) {
      return { status: 400, body: { message: `Field '${field}' must be a string of 1 to 255 characters`, debug_message: `Got ${JSON.stringify(value)}` } };
    }
    init[field] = value;
  }
  if (init.engagementId !== undefined && store.engagements.has(init.engagementId)) {
    return { status: 409, body: { message: 'Engagement ID already used', debug_message: `An engagement '${init.engagementId}' exists already` } };
  }
  for (const field of ['visitorToken', 'operatorToken'] as const) {
    const token = init[field];
    if (token !== undefined && store.tokens.has(token)) {
      return { status: 409, body: { message: 'Token already in use', debug_message: `Field '${field}': another engagement or role has this token` } };
    }
  }
  if (init.visitorToken !== undefined && init.visitorToken === init.operatorToken) {
    return { status: 400, body: { message: 'The visitor and operator tokens must differ', debug_message: '' } };
  }
  return init;
}

export function adminHandlers(context: AdminContext): HttpHandler[] {
  const { baseUrl, store } = context;
  const root = `${baseUrl}${ADMIN_PREFIX}`;
  const engagement = (id: string): EngagementRecord | Response =>
    store.engagements.get(id) ?? notFound('Engagement', `No engagement with id '${id}'`);
  const faultState = () => ({ faults: context.faults(), counts: context.faultCounts });
  type Params = { engagementId: string; commandId: string };

  return [
    http.post(`${root}/engagements`, async ({ request }) => {
      const body = await readOptionalObject(request);
      if (body instanceof Response) return body;
      const init = checkInit(store, body);
      if ('status' in init) return errorResponse(init.status, init.body);
      return HttpResponse.json(context.createEngagement(init), { status: 201 });
    }),

    http.get(`${root}/engagements`, () => {
      const engagements: AdminEngagement[] = [...store.engagements.values()].map(
        ({ engagementId, subEngagementId, visitorToken, operatorToken }) => ({ engagementId, subEngagementId, visitorToken, operatorToken }),
      );
      return HttpResponse.json({ engagements });
    }),

    http.get<Params>(`${root}/engagements/:engagementId/events`, ({ params }) => {
      const record = engagement(params.engagementId);
      return record instanceof Response ? record : HttpResponse.json({ events: record.events });
    }),

    http.get<Params>(`${root}/engagements/:engagementId/commands`, ({ params }) => {
      const record = engagement(params.engagementId);
      return record instanceof Response ? record : HttpResponse.json({ commands: adminCommands(record) });
    }),

    http.get<Params>(`${root}/engagements/:engagementId/commands/:commandId/result`, ({ params }) => {
      const record = engagement(params.engagementId);
      if (record instanceof Response) return record;
      const entry = record.commandsById.get(params.commandId.toLowerCase());
      if (!entry) return notFound('Custom command', `No custom command with id '${params.commandId}' in engagement '${record.engagementId}'`);
      return HttpResponse.json({ result: entry.result });
    }),

    http.post(`${root}/reset`, () => {
      context.reset();
      return new HttpResponse(null, { status: 204 });
    }),

    http.get(`${root}/faults`, () => HttpResponse.json(faultState())),

    // The numeric and list settings of `MockFaults`; `random` stays in process.
    http.put(`${root}/faults`, async ({ request }) => {
      const body = await readOptionalObject(request);
      if (body instanceof Response) return body;
      const { random: _random, ...faults } = body;
      try {
        context.setFaults(faults as MockFaults);
      } catch (error) {
        return errorResponse(400, { message: 'Invalid faults', debug_message: (error as Error).message });
      }
      return HttpResponse.json(faultState());
    }),
  ];
}
