import { http, HttpResponse } from 'msw';
import { ENGAGEMENT_PROPERTIES, TOUCHPOINTS, type EngagementMeta, type EngagementProperties, type ErrorBody, type MetaChange } from '../protocol/wire.js';
import { describeJson, Rejection } from './command-log.js';
import { authorize, errorResponse, readJsonObject } from './respond.js';
import type { EngagementRecord, Store } from './store.js';
import type { ServerFrame } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';

/**
 * The engagement's metadata and properties (ChatShipper's `/set`), as an
 * extension endpoint: `POST /engagements/{id}/meta`, operator only. Every
 * change goes to the visitor's stream as a `meta` frame with the whole state.
 */

export const META_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to change the engagement's metadata",
  debug_message: "Only the engagement's operator can change its metadata and properties",
};

export interface MetaContext {
  baseUrl: string;
  store: Store;
  broadcast: (engagementId: string, frame: ServerFrame) => void;
}

const bad = (message: string, got: string) => new Rejection(400, { message, debug_message: got });

/** A copy of the whole state. */
export function metaState(record: EngagementRecord): EngagementMeta {
  return structuredClone({ meta: record.meta, properties: record.properties });
}

/** The `meta` frame a (re)connecting visitor gets after `ready`, when there is anything to say. */
export function metaFrames(record: EngagementRecord): ServerFrame[] {
  const empty = Object.keys(record.meta).length === 0 && Object.keys(record.properties).length === 0;
  return empty ? [] : [{ type: 'meta', ...metaState(record) }];
}

/** Checks a change as ChatShipper describes the properties: each known, each of its type. */
export function checkMetaBody(body: Record<string, unknown>): MetaChange | Rejection {
  const { meta, properties } = body;
  if (meta === undefined && properties === undefined) {
    return bad("Request body must have 'meta' or 'properties'", `Got keys ${JSON.stringify(Object.keys(body))}`);
  }
  if (meta !== undefined && !isJsonObject(meta)) return bad("Parameter 'meta' must be a JSON object", `Got ${describeJson(meta)}`);
  if (properties !== undefined) {
    if (!isJsonObject(properties)) return bad("Parameter 'properties' must be a JSON object", `Got ${describeJson(properties)}`);
    for (const [key, value] of Object.entries(properties)) {
      const problem = propertyProblem(key, value);
      if (problem) return bad(`Property '${key}' ${problem}`, `Got ${JSON.stringify(value) ?? describeJson(value)}`);
    }
  }
  const change: MetaChange = {};
  if (meta) change.meta = meta;
  if (properties) change.properties = properties as EngagementProperties;
  return change;
}

function propertyProblem(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'name':
      return typeof value === 'string' && value.trim() !== '' ? undefined : 'must be a non-empty string';
    case 'category':
      return (typeof value === 'string' && value.trim() !== '') || (Number.isSafeInteger(value) && (value as number) >= 0)
        ? undefined
        : 'must be a non-empty string (a name) or a non-negative integer (the index of its slot)';
    case 'touchpoint':
      return (TOUCHPOINTS as readonly unknown[]).includes(value) ? undefined : `must be one of ${TOUCHPOINTS.join(', ')}`;
    case 'language':
      return typeof value === 'string' && /^[a-z]{2}$/.test(value) ? undefined : 'must be a two-letter lowercase language code such as de';
    default:
      return `is not an engagement property (${ENGAGEMENT_PROPERTIES.join(', ')})`;
  }
}

/** Merges a checked change, tells the visitor, and returns the new state. */
export function applyMeta(record: EngagementRecord, change: MetaChange, broadcast: MetaContext['broadcast']): EngagementMeta {
  // Through JSON, as over the wire, and key by key so that "__proto__" is a key like any other.
  const copy = JSON.parse(JSON.stringify(change)) as MetaChange;
  for (const [key, value] of Object.entries(copy.meta ?? {})) define(record.meta, key, value);
  for (const [key, value] of Object.entries(copy.properties ?? {})) define(record.properties as Record<string, unknown>, key, value);
  const state = metaState(record);
  broadcast(record.engagementId, { type: 'meta', ...state });
  return state;
}

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function metaHandlers({ baseUrl, store, broadcast }: MetaContext) {
  return [
    http.post<{ engagementId: string }>(`${baseUrl}/engagements/:engagementId/meta`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'operator', META_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const json = await readJsonObject(request);
      if (json instanceof Response) return json;
      const change = checkMetaBody(json);
      if (change instanceof Rejection) return errorResponse(change.status, change.body);
      return HttpResponse.json(applyMeta(auth.engagement, change, broadcast));
    }),
  ];
}
