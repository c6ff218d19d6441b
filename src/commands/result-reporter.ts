import { errorMessage, type CommandOutcome } from './dispatcher.js';
import type { Logger } from '../core/logger.js';
import type { Timers } from '../core/timers.js';
import type { HttpTransport } from '../transport/http.js';
import { retryDelay, type BackoffOptions } from '../transport/retry-policy.js';

interface ResultItem {
  command_id: string;
  status: string;
  error?: string;
}

/** Matches the server's limit (docs/protocol.md, "Command results"). */
const BATCH = 500;

/**
 * Reports what commands came to, batched: the outcomes of a 50 ms window go
 * out in one `POST .../custom_commands/results`, so a stream of commands
 * costs one request per window, not one each. A failed batch is retried with
 * the events' backoff (the server keeps the first report of a command, so a
 * repeat is harmless). Kept in memory; on `pagehide` what is waiting is sent
 * with `keepalive`, and only a crash loses it.
 */
export function createResultReporter({ http, path, backoff, timers, logger }: {
  http: HttpTransport;
  path: string;
  backoff: BackoffOptions;
  timers: Timers;
  logger: Logger;
}) {
  // The timer of the gathering window and of a retry is named by the path: unique among the visitor's timers.
  const waiting: ResultItem[] = [];
  let sending = false;
  let attempt = 0;
  let closed = false;

  const post = (results: ResultItem[], keepalive?: boolean) => http.send({ method: 'POST', path, body: { results }, keepalive });
  const send = () => {
    if (sending || closed || !waiting.length) return;
    const batch = waiting.slice(0, BATCH);
    // Done with this batch: delivered, or refused for good (dropped with a warning).
    const next = () => {
      sending = false;
      attempt = 0;
      waiting.splice(0, batch.length);
      send();
    };
    sending = true;
    post(batch).then(next, (error: unknown) => {
      const delay = closed ? undefined : retryDelay(error, ++attempt, backoff);
      if (delay === undefined) {
        logger.warn('could not report command results', error);
        next();
      } else {
        sending = false;
        timers.set(path, send, delay);
      }
    });
  };

  return {
    report({ command, status, error }: CommandOutcome) {
      const item: ResultItem = { command_id: command.id, status };
      if (status == 'failed') item.error = errorMessage(error);
      waiting.push(item);
      // The first outcome of a window opens it: what arrives within 50 ms (a delay the operator does not notice) goes along.
      if (!sending && !timers.has(path)) timers.set(path, send, 50);
    },
    /** The page is going away: send what waits now, in keepalive requests the browser finishes for us. */
    flushOnUnload() {
      if (closed) return;
      timers.clear(path);
      for (let i = 0; i < waiting.length; i += BATCH) post(waiting.slice(i, i + BATCH), true).catch(() => {});
    },
    close() {
      closed = true;
    },
  };
}
