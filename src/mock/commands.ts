import { http, HttpResponse } from 'msw';
import type { ErrorBody } from '../protocol/wire.js';
import { acceptCommand, checkCommandBody, checkCommandId, Rejection, type Deliver } from './command-log.js';
import { checkResultBody, makeResult, MAX_RESULTS_PER_REQUEST } from './command-results.js';
import { timestamp } from './ids.js';
import { authorize, errorResponse, readJsonObject } from './respond.js';
import { metaFrames, metaState } from './meta.js';
import { checkSchedule, checkTimerLimit } from './schedule-check.js';
import type { EngagementRecord, Store, StoredCommand } from './store.js';
import { MAX_POLL_WAIT, type CommandWithResult, type LongPollPage, type ReadReceipt } from '../protocol/wire.js';
import type { LongPoll } from './long-poll.js';

/** 403 of the PUT: the documented API says "operator only" but gives no body, so this one is ours. */
export const COMMAND_SEND_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to send a custom command",
  debug_message: "Only the engagement's operator can send custom commands",
};
export const COMMANDS_READ_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to read custom commands",
  debug_message: "Only the engagement's visitor and operator can read its custom commands",
};
export const RESULT_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to report a custom command result",
  debug_message: '',
};
export const READ_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to mark a custom command as read",
  debug_message: "Only the engagement's visitor can mark its custom commands as read",
};
export const COMMAND_VIEW_FORBIDDEN: ErrorBody = {
  message: "You don't have permissions to view a custom command",
  debug_message: "Only the engagement's operator can view a custom command and its result",
};

/** Polling answers in pages, so that a visitor back after a long absence is not sent everything at once. */
export const PAGE_SIZE = 100;

export interface CommandsContext {
  baseUrl: string;
  store: Store;
  now: () => number;
  deliver: Deliver;
  /** Where a poll with `wait` and nothing new waits for the engagement to change. */
  polls: LongPoll;
}

/** Digits only: `1.5`, `-1`, `1e3`, `+1` and an empty value are all refused. */
const isCount = (raw: string) => /^\d+$/.test(raw) && Number.isSafeInteger(Number(raw));

type Params = { engagementId: string; commandId: string };

/**
 * The custom command endpoints: Glia's PUT, and our polling, result and
 * operator read. The three `custom_commands` paths cannot shadow each other:
 * a `:commandId` segment never spans a `/`.
 */
export function commandsHandlers({ baseUrl, store, now, deliver, polls }: CommandsContext) {
  const collection = `${baseUrl}/engagements/:engagementId/custom_commands`;
  return [
    http.put<Params>(`${collection}/:commandId`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'operator', COMMAND_SEND_FORBIDDEN);
      if (auth instanceof Response) return auth;
      // The id is checked before the body is read: a bad URL is the bigger mistake.
      const id = checkCommandId(params.commandId);
      if (id instanceof Rejection) return errorResponse(id.status, id.body);
      const json = await readJsonObject(request);
      if (json instanceof Response) return json;
      const body = checkCommandBody(json);
      if (body instanceof Rejection) return errorResponse(body.status, body.body);
      // SendCommand's schedule and the timer cap, checked here where a detailed reason reaches the operator who wrote it.
      const invalidSchedule = checkSchedule(body.properties) ?? checkTimerLimit(auth.engagement, id, body.properties);
      if (invalidSchedule) return errorResponse(400, invalidSchedule);
      const accepted = acceptCommand(auth.engagement, id, body, deliver);
      if (accepted instanceof Rejection) return errorResponse(accepted.status, accepted.body);
      return HttpResponse.json(accepted.entry.command);
    }),

    http.get<Params>(collection, async ({ request, params }) => {
      let auth = authorize(request, store, params.engagementId, ['visitor', 'operator'], COMMANDS_READ_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const query = new URL(request.url).searchParams;
      const raw = query.get('after');
      if (raw !== null && !isCount(raw)) {
        return errorResponse(400, {
          message: "Query parameter 'after' must be a non-negative integer",
          debug_message: `Got '${raw}'`,
        });
      }
      const rawWait = query.get('wait');
      if (rawWait !== null && !isCount(rawWait)) {
        return errorResponse(400, {
          message: "Query parameter 'wait' must be a non-negative integer (seconds)",
          debug_message: `Got '${rawWait}'`,
        });
      }
      const after = raw === null ? 0 : Number(raw);
      // Extension: long polling. Held only when the client is exactly up to
      // date: with something to send, or a position this server does not
      // know (after > last_seq, from another server), it answers at once.
      const wait = rawWait === null ? undefined : Math.min(Number(rawWait), MAX_POLL_WAIT);
      if (wait && auth.engagement.commands.length === after) {
        await polls.hold(params.engagementId, wait * 1000, request.signal);
        // The engagement may have gone meanwhile (reset): answer as a new request would be.
        auth = authorize(request, store, params.engagementId, ['visitor', 'operator'], COMMANDS_READ_FORBIDDEN);
        if (auth instanceof Response) return auth;
      }
      const { commands } = auth.engagement;
      // commands[i].seq === i + 1, so the ones after `after` start at index `after`.
      const page: LongPollPage = {
        commands: commands.slice(after, after + PAGE_SIZE).map(({ seq, command }) => ({ seq, command })),
        last_seq: commands.length,
      };
      // The state a `meta` frame would carry, so that a polling visitor sees /set too.
      if (metaFrames(auth.engagement).length > 0) page.meta = metaState(auth.engagement);
      // Said whenever asked, so that a client knows this server holds polls.
      if (wait !== undefined) page.wait = wait;
      return HttpResponse.json(page);
    }),

    // Extension: many results in one request (the SDK sends one per tick). Each
    // item is judged on its own, like the single endpoint; the answer lists them in order.
    http.post<Params>(`${collection}/results`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', RESULT_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const json = await readJsonObject(request);
      if (json instanceof Response) return json;
      const { results } = json;
      if (!Array.isArray(results) || results.length === 0 || results.length > MAX_RESULTS_PER_REQUEST) {
        return errorResponse(400, {
          message: `Parameter 'results' must be an array of 1 to ${MAX_RESULTS_PER_REQUEST} results`,
          debug_message: `Got ${Array.isArray(results) ? `${results.length} items` : results === undefined ? 'nothing' : typeof results}`,
        });
      }
      const answers = results.map((item: unknown) => {
        const commandId = (item as { command_id?: unknown } | null)?.command_id;
        if (item === null || typeof item !== 'object' || typeof commandId !== 'string') {
          return { command_id: null, rejected: { status: 400, message: "Each result needs a string 'command_id'", debug_message: '' } };
        }
        const entry = auth.engagement.commandsById.get(commandId.toLowerCase());
        if (!entry) {
          return { command_id: commandId, rejected: { status: 404, message: 'Custom command not found', debug_message: `No custom command with id '${commandId}'` } };
        }
        const body = checkResultBody(item as Record<string, unknown>);
        if (body instanceof Rejection) return { command_id: commandId, rejected: { status: body.status, ...body.body } };
        entry.result ??= makeResult(entry.command.id, body, timestamp(now()));
        return entry.result;
      });
      return HttpResponse.json({ results: answers });
    }),

    http.post<Params>(`${collection}/:commandId/result`, async ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', RESULT_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const entry = findCommand(auth.engagement, params.commandId);
      if (entry instanceof Response) return entry;
      const json = await readJsonObject(request);
      if (json instanceof Response) return json;
      const body = checkResultBody(json);
      if (body instanceof Rejection) return errorResponse(body.status, body.body);
      // The first report wins: a retry after a lost response must not rewrite history.
      entry.result ??= makeResult(entry.command.id, body, timestamp(now()));
      return HttpResponse.json(entry.result);
    }),

    // Engage Digital's status.mark_as_read, as an extension: no body, the first mark wins.
    http.post<Params>(`${collection}/:commandId/read`, ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'visitor', READ_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const entry = findCommand(auth.engagement, params.commandId);
      if (entry instanceof Response) return entry;
      entry.readAt ??= timestamp(now());
      return HttpResponse.json({ command_id: entry.command.id, read_at: entry.readAt } satisfies ReadReceipt);
    }),

    http.get<Params>(`${collection}/:commandId`, ({ request, params }) => {
      const auth = authorize(request, store, params.engagementId, 'operator', COMMAND_VIEW_FORBIDDEN);
      if (auth instanceof Response) return auth;
      const entry = findCommand(auth.engagement, params.commandId);
      if (entry instanceof Response) return entry;
      const view: CommandWithResult = { ...entry.command, seq: entry.seq, result: entry.result };
      if (entry.readAt) view.read_at = entry.readAt;
      return HttpResponse.json(view);
    }),
  ];
}

function findCommand(record: EngagementRecord, commandId: string): StoredCommand | Response {
  const entry = record.commandsById.get(commandId.toLowerCase());
  if (entry) return entry;
  return errorResponse(404, {
    message: 'Custom command not found',
    debug_message: `No custom command with id '${commandId}' in engagement '${record.engagementId}'`,
  });
}
