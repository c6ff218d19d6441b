import { type CustomCommand, type ErrorBody } from '../protocol/wire.js';
import { isJsonObject } from '../shared/check.js';
import { isUuidV4 } from './ids.js';
import { jsonEqual } from './json-equal.js';
import type { EngagementRecord, StoredCommand } from './store.js';

/**
 * Accepting a custom command into its engagement's stream (Glia's REST API and the
 * delivery extension). Shared by the PUT handler and
 * `MockBackend.sendCustomCommand`, so that both validate, deduplicate and
 * deliver alike.
 */

/** Why a command was refused: the HTTP status and the error body to answer with. */
export class Rejection {
  constructor(
    readonly status: 400 | 409,
    readonly body: ErrorBody,
  ) {}
}

/** Pushes a newly accepted command to whoever listens (the stream sockets). */
export type Deliver = (engagementId: string, entry: StoredCommand) => void;

export interface CommandBody {
  content: string | null;
  properties: Record<string, unknown>;
}

/** `Got string`, `Got an array`, ...: the debug text of the 400s, in readJsonObject's wording. */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * The id a command is stored under: UUIDs compare case-insensitively
 * (RFC 9562), so `ABC…` and `abc…` are one command, kept in lower case.
 */
export function checkCommandId(id: string): string | Rejection {
  if (!isUuidV4(id)) {
    return new Rejection(400, { message: 'Custom command ID must be a Version 4 UUID', debug_message: `Got '${id}'` });
  }
  return id.toLowerCase();
}

/** `properties` first, then `content`: the order docs/protocol.md lists them in. */
export function checkCommandBody(body: Record<string, unknown>): CommandBody | Rejection {
  const { properties, content } = body;
  if (!isJsonObject(properties)) {
    return new Rejection(400, {
      message: "Parameter 'properties' is required and must be a JSON object",
      debug_message: `Got ${describeJson(properties)}`,
    });
  }
  if (content !== undefined && content !== null && typeof content !== 'string') {
    return new Rejection(400, { message: "Parameter 'content' must be a string", debug_message: `Got ${describeJson(content)}` });
  }
  // Absent and null mean the same (generic transcript text), so both compare equal on a resend.
  return { content: content ?? null, properties: properties as Record<string, unknown> };
}

export interface Accepted {
  entry: StoredCommand;
  /** False for an identical resend: nothing was stored or delivered. */
  created: boolean;
}

/**
 * Stores and delivers a new command, or recognises a resend. Extra body keys
 * are not part of the command and so are not compared.
 */
export function acceptCommand(
  record: EngagementRecord,
  id: string,
  body: CommandBody,
  deliver: Deliver,
): Accepted | Rejection {
  const known = record.commandsById.get(id);
  if (known) {
    const same = jsonEqual(known.command.content, body.content) && jsonEqual(known.command.properties, body.properties);
    if (same) return { entry: known, created: false };
    return new Rejection(409, {
      message: 'Custom command ID already used',
      debug_message: `Custom command '${id}' was sent before with a different body; use a new ID for a new command`,
    });
  }
  const command: CustomCommand = {
    id,
    engagement_id: record.engagementId,
    sub_engagement_id: record.subEngagementId,
    content: body.content,
    properties: body.properties,
  };
  const entry: StoredCommand = { seq: record.commands.length + 1, command, result: null };
  record.commands.push(entry);
  record.commandsById.set(id, entry);
  deliver(record.engagementId, entry);
  return { entry, created: true };
}
