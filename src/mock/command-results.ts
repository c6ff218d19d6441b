import { Rejection } from './command-log.js';
import { MAX_BATCH_ITEMS, type CommandResult, type CommandStatus } from '../protocol/wire.js';

/** What the visitor may report a command came to (docs/protocol.md, "Command results"). */
const STATUSES: readonly CommandStatus[] = ['executed', 'failed', 'unhandled', 'scheduled'];

/** Most results in one batch request. */
export const MAX_RESULTS_PER_REQUEST = MAX_BATCH_ITEMS;

/** Longer errors are cut, not refused: a handler's message is the visitor's to choose, not a client bug. */
export const MAX_ERROR_LENGTH = 1000;

export interface ResultBody {
  status: CommandStatus;
  error: string | null;
}

export function checkResultBody(body: Record<string, unknown>): ResultBody | Rejection {
  const { status, error } = body;
  if (!STATUSES.includes(status as CommandStatus)) {
    return new Rejection(400, {
      message: "Parameter 'status' must be one of 'executed', 'failed', 'unhandled', 'scheduled'",
      debug_message: `Got ${status === undefined ? 'nothing' : JSON.stringify(status)}`,
    });
  }
  if (error === undefined || error === null) return { status: status as CommandStatus, error: null };
  if (typeof error !== 'string') {
    return new Rejection(400, { message: "Parameter 'error' must be a string", debug_message: `Got ${JSON.stringify(error)}` });
  }
  if (status !== 'failed') {
    return new Rejection(400, {
      message: "Parameter 'error' is only allowed with status 'failed'",
      debug_message: `Got status '${status}' with an error`,
    });
  }
  return { status, error: truncate(error, MAX_ERROR_LENGTH) };
}

/** Cuts by code point, so that an emoji at the limit is not split into half a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

export function makeResult(commandId: string, body: ResultBody, reportedAt: string): CommandResult {
  return { command_id: commandId, status: body.status, error: body.error, reported_at: reportedAt };
}
