import { type ErrorBody } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';
import { grant } from './respond.js';
import type { EngagementRecord, Store } from './store.js';

/**
 * The first frame of a command stream, `{"type":"hello","token":"…","after":n}`,
 * checked in the HTTP order: frame shape, token (401), engagement (404), role
 * (403), then the rest of the "body" (`after`, 400).
 */

/** The refusing close codes: 4000 + the HTTP status that would answer the same mistake (docs/protocol.md). */
export type RefusalCode = 4400 | 4401 | 4403 | 4404;

/** Why a stream is refused: the error frame to send, then the close code. */
export class Refusal {
  readonly code: RefusalCode;
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    readonly body: ErrorBody,
  ) {
    this.code = (4000 + status) as RefusalCode;
  }
}

export interface Welcome {
  record: EngagementRecord;
  after: number;
}

export const STREAM_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to receive custom commands",
  debug_message: "Only the engagement's visitor can open its command stream",
};

const refuse = (status: Refusal['status'], body: ErrorBody) => new Refusal(status, body);

/** A JSON object frame, or why the frame is none (binary: anything but a string; not JSON; not an object). */
export function parseFrame(data: unknown): Record<string, unknown> | Refusal {
  if (typeof data !== 'string') {
    return refuse(400, { message: 'Frame is not valid JSON', debug_message: 'Got a binary frame; frames are JSON text' });
  }
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch (error) {
    return refuse(400, {
      message: 'Frame is not valid JSON',
      debug_message: error instanceof Error ? error.message : String(error),
    });
  }
  if (!isJsonObject(frame)) {
    return refuse(400, { message: 'The first frame must be a hello', debug_message: `Got ${JSON.stringify(frame)}` });
  }
  return frame as Record<string, unknown>;
}

export function checkHello(data: unknown, engagementId: string, store: Store): Welcome | Refusal {
  const frame = parseFrame(data);
  if (frame instanceof Refusal) return frame;
  if (frame.type !== 'hello') {
    return refuse(400, {
      message: 'The first frame must be a hello',
      debug_message: `Got a frame of type ${JSON.stringify(frame.type ?? null)}`,
    });
  }
  const { token, after } = frame;
  const granted = grant(store, typeof token === 'string' && token.trim() !== '' ? token : undefined, engagementId, 'visitor', STREAM_FORBIDDEN);
  if ('status' in granted) return refuse(granted.status, granted.body);
  const record = granted.engagement;
  if (after === undefined) return { record, after: 0 };
  if (typeof after !== 'number' || !Number.isSafeInteger(after) || after < 0) {
    return refuse(400, {
      message: "Field 'after' must be a non-negative integer",
      debug_message: `Got ${JSON.stringify(after)}`,
    });
  }
  return { record, after };
}
