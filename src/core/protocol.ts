/**
 * The wire contract shared by the SDK, the operator client and the reference
 * server. docs/protocol.md describes it in prose; keep the two in step.
 */

/** The one API version the seed documents (seed 003, `Accept`). */
export const MEDIA_TYPE = 'application/vnd.salemove.v1+json';

/** An event message as the server returns it (seed 003, 200 response). */
export interface EngagementEvent {
  /** ISO 8601, whole seconds, UTC: `2019-08-28T13:55:24Z`. */
  timestamp: string;
  id: string;
  engagement_id: string;
  sub_engagement_id: string;
  content: string;
  status: 'sent';
  sender: { type: 'visitor' };
  target: 'operator';
}

/** A custom command as the server returns it (seed 000, response). */
export interface CustomCommand<P = Record<string, unknown>> {
  id: string;
  engagement_id: string;
  sub_engagement_id: string;
  /** `null` when the operator sent none: the transcript then shows a generic text. */
  content: string | null;
  properties: P;
}

/** The error body of every non-2xx response (seed 003). */
export interface ErrorBody {
  message: string;
  debug_message: string;
}

/** Engagement properties, as `/set @property value` changes them (seed 001). */
export interface EngagementProperties {
  name?: string;
  /** A category name, or the zero-based index of its slot. */
  category?: string | number;
  touchpoint?: 'web' | 'email' | 'sms' | 'facebook';
  /** Two lowercase letters, e.g. `de`. */
  language?: string;
}

/** The engagement's metadata and properties, whole (extension: `POST .../meta`, the `meta` frame). */
export interface EngagementMeta {
  /** Free-form; `/set key value` and `/set {...}` merge into it. */
  meta: Record<string, unknown>;
  properties: EngagementProperties;
}

/** `/engagements/{id}` plus `rest`: every path of the API starts so. */
export function engagementPath(engagementId: string, rest = ''): string {
  return `/engagements/${encodeURIComponent(engagementId)}${rest}`;
}

export function commandPath(engagementId: string, commandId: string): string {
  return engagementPath(engagementId, `/custom_commands/${encodeURIComponent(commandId)}`);
}

/** A JSON object: not null, not an array (what `properties`, bodies and frames must be). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Strips a trailing slash so that `baseUrl + path` never has `//`. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}
