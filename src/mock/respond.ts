import { HttpResponse } from 'msw';
import type { ErrorBody } from '../protocol/wire.js';
import { MEDIA_TYPE } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';
import { unstorable } from './json-limits.js';
import type { EngagementRecord, Role, Store } from './store.js';

/** The documented exact 401 bodies (Glia's REST API). */
export const AUTH_MISSING: ErrorBody = {
  message: 'Authorization information missing',
  debug_message:
    "Authorization header must have format 'token_type token' where token_type is SessionId or AuthToken",
};
export const AUTH_INVALID: ErrorBody = {
  message: 'Invalid token',
  debug_message: 'Authorization header must contain a valid token',
};

export function errorResponse(status: number, body: ErrorBody, headers?: Record<string, string>) {
  return HttpResponse.json(body, { status, headers });
}

export interface Authorized {
  engagement: EngagementRecord;
  role: Role;
}

/** `Bearer <token>`; the token is group 1. */
export const BEARER = /^Bearer +(\S+) *$/i;

/** Why a caller is turned away before its request is even read. */
export interface Denial {
  status: 401 | 403 | 404;
  body: ErrorBody;
}

/**
 * Who is calling (401), does the engagement exist (404), may this caller do
 * this here (403): in this order, for HTTP requests and for the command
 * stream's hello alike. `token` is undefined when none was given in a usable
 * form. `allowed` is one role, or several for what both sides read.
 */
export function grant(
  store: Store,
  token: string | undefined,
  engagementId: string,
  allowed: Role | readonly Role[],
  forbidden: ErrorBody,
): Authorized | Denial {
  if (token === undefined) return { status: 401, body: AUTH_MISSING };
  const found = store.tokens.get(token);
  if (!found) return { status: 401, body: AUTH_INVALID };
  const engagement = store.engagements.get(engagementId);
  if (!engagement) {
    return { status: 404, body: { message: 'Engagement not found', debug_message: `No engagement with id '${engagementId}'` } };
  }
  const roles: readonly Role[] = typeof allowed === 'string' ? [allowed] : allowed;
  if (!roles.includes(found.role) || found.engagementId !== engagementId) return { status: 403, body: forbidden };
  return { engagement, role: found.role };
}

/**
 * The checks every endpoint makes: those of `grant` with the `Bearer` token
 * of the Authorization header, then can we answer in the version asked for (406).
 */
export function authorize(
  request: Request,
  store: Store,
  engagementId: string,
  allowed: Role | readonly Role[],
  forbidden: ErrorBody,
): Authorized | Response {
  const header = request.headers.get('Authorization');
  const token = header === null ? undefined : BEARER.exec(header)?.[1];
  const granted = grant(store, token, engagementId, allowed, forbidden);
  if ('status' in granted) return errorResponse(granted.status, granted.body);
  if (!acceptsV1(request.headers.get('Accept'))) {
    return errorResponse(406, {
      message: 'Unsupported API version',
      debug_message: `Accept header must be ${MEDIA_TYPE}`,
    });
  }
  return granted;
}

/** A missing Accept, `*\/*`, `application/*`, `application/json` or the v1 type all get v1. */
function acceptsV1(accept: string | null): boolean {
  if (accept === null || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]!.trim().toLowerCase();
    return type === MEDIA_TYPE || type === '*/*' || type === 'application/*' || type === 'application/json';
  });
}

/**
 * Reads a JSON object body, or says precisely why it is not one (400), or
 * that it is not JSON at all by its Content-Type (415), or that it cannot be
 * stored (400: nested deeper than `MAX_JSON_DEPTH`, a number out of range).
 */
export async function readJsonObject(request: Request): Promise<Record<string, unknown> | Response> {
  const type = (request.headers.get('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[\w.+-]*\+json$/.test(type)) {
    return errorResponse(415, {
      message: 'Unsupported content type',
      debug_message: `Content-Type must be application/json, got '${type || 'none'}'`,
    });
  }
  const text = await request.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return errorResponse(400, {
      message: 'Request body is not valid JSON',
      debug_message: error instanceof Error ? error.message : String(error),
    });
  }
  if (!isJsonObject(body)) {
    return errorResponse(400, {
      message: 'Request body must be a JSON object',
      debug_message: `Got ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`,
    });
  }
  // Before any endpoint sees it, so nothing unstorable is ever stored (./json-limits.ts).
  const problem = unstorable(body);
  if (problem) return errorResponse(400, problem);
  return body as Record<string, unknown>;
}
