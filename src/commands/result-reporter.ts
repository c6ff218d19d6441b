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
/** How long outcomes gather before they are sent together: a delay the operator does not notice. */
const WINDOW = 50;

/**
 * Reports what commands came to, batched: the outcomes of a 50 ms window go
 * out in one `POST .../custom_commands/results`, so a stream of commands
 * costs one request per window, not one each. A failed batch is retried with
 * the events' backoff (the server keeps the first report of a command, so a
 * repeat is harmless). Kept in memory; on `pagehide` what is waiting is sent
 * with `keepalive`, and only a crash loses it.
 */
export function createResultReporter(deps: {
  http: HttpTransport;
  path: string;
  backoff: BackoffOptions;
  timers: Timers;
  logger: Logger;
}) {
  const waiting: ResultItem[] = [];
  let sending = false;
  let attempt = 0;
  let closed = false;

  const send = () => {
    if (sending || closed || waiting.length === 0 || deps.timers.has('results')) return;
    const batch = waiting.slice(0, BATCH);
    sending = true;
    deps.http.send({ method: 'POST', path: deps.path, body: { results: batch } }).then(
      () => {
        sending = false;
        attempt = 0;
        waiting.splice(0, batch.length);
        send();
      },
      (error: unknown) => {
        sending = false;
        const delay = closed ? undefined : retryDelay(error, ++attempt, deps.backoff);
        if (delay === undefined) {
          waiting.splice(0, batch.length);
          attempt = 0;
          deps.logger.warn(`could not report ${batch.length} command results`, error);
          send();
        } else deps.timers.set('results', send, delay);
      },
    );
  };

  return {
    report(outcome: CommandOutcome) {
      const item: ResultItem = { command_id: outcome.command.id, status: outcome.status };
      if (outcome.status === 'failed') item.error = errorMessage(outcome.error);
      waiting.push(item);
      if (!sending && !deps.timers.has('results')) deps.timers.set('results', send, WINDOW);
    },
    /** The page is going away: send what waits now, in keepalive requests the browser finishes for us. */
    flushOnUnload() {
      if (closed || waiting.length === 0) return;
      deps.timers.clear('results');
      for (let i = 0; i < waiting.length; i += BATCH) {
        const results = waiting.slice(i, i + BATCH);
        deps.http.send({ method: 'POST', path: deps.path, body: { results }, keepalive: true }).catch(() => {});
      }
    },
    close() {
      closed = true;
    },
  };
}
