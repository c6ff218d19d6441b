import type { HttpClient } from '../http/client.js';
import type { BackoffOptions } from '../http/retry-policy.js';
import { createSender, utf8Length, type KeepaliveBudget } from '../http/sender.js';
import { MAX_BATCH_ITEMS, type ResultReport } from '../protocol/wire.js';
import { errorMessage } from '../shared/errors.js';
import type { PageSignals } from '../shared/lifecycle.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import type { CommandState } from './command-state.js';
import type { CommandOutcome } from './dispatcher.js';

/** The server's limit (docs/protocol.md, "Command results"), for regular and keepalive requests alike. */
const BATCH = MAX_BATCH_ITEMS;
/** What arrives within this window (a delay the operator does not notice) goes in one request. */
const WINDOW = 50;
/** Outcomes less than this apart are a stream of commands: the window's request waits for a pause in it… */
const QUIET = 20;
/** …but not longer than this after the window opened. */
const LONGEST = 500;

export interface ResultReporterDeps {
  http: HttpClient;
  /** `/engagements/{id}/custom_commands/results` */
  path: string;
  backoff: BackoffOptions;
  timers: Timers;
  logger: Logger;
  signals: PageSignals;
  /** Where results wait until the server has them: they survive a reload or a closed tab. */
  state: Pick<CommandState, 'addResult' | 'results' | 'confirm'>;
}

export interface ResultReporter {
  report(outcome: CommandOutcome): void;
  /** Sends what waits (results a closed tab left, now this tab leads). */
  kick(): void;
  /** The page is going away: send what waits, with keepalive, within `budget`. */
  unload(budget: KeepaliveBudget): void;
  close(): void;
}

/**
 * Reports what commands came to, batched: the outcomes of a 50 ms window go
 * out in one `POST .../custom_commands/results`, so a stream of commands
 * costs one request per window, not one each. Sent through the one sender
 * (retries with the backoff; the server keeps the first report of a command,
 * so a repeat is harmless). Results wait in the command state, persisted,
 * until the server has them: a tab that closes leaves its unsent results to
 * the next page that leads.
 *
 * Only the results whose window has ended are sent: those that come while a
 * request is in flight wait for their own window instead of following it at
 * once. Otherwise a steady stream of commands kept one request in flight all
 * the time (about one per 1.5 commands with commands 15 ms apart in
 * Chromium), each competing with the next command for the network and the
 * CPU; now it is at most one per window.
 *
 * Within such a stream a window's request still came every few commands and
 * delayed the next one (the request and the command share the network, the
 * server and the CPU; back to back in Chromium, about a sixth of the time
 * from the operator's PUT to the handler). So a window ends only once the
 * outcomes pause for 20 ms (`QUIET`), and at the latest 500 ms after it
 * opened: a stream costs one request per 500 ms, and its results go once
 * it pauses, not in its midst; commands 20 ms or more apart still get theirs
 * after 50 ms.
 */
export function createResultReporter({ http, path, backoff, timers, logger, signals, state }: ResultReporterDeps): ResultReporter {
  const window = timers.timer();
  /** How many results, oldest first, may go now: their window ended (or kick() or the page leaving sent them). */
  let due = 0;
  const sent = (items: readonly ResultReport[]) => {
    state.confirm(items);
    due = Math.max(0, due - items.length);
  };
  const sendAll = () => {
    due = state.results().length;
    sender.kick();
  };
  // Counted, not timed: no clock read per command. The window looks at the
  // count QUIET ms before it ends and again at its end: unchanged, it ends.
  let outcomes = 0;
  let seen = 0;
  let extended = 0;
  const look = () => {
    seen = outcomes;
    window.set(end, QUIET);
  };
  const end = () => (outcomes === seen || (extended += QUIET) > LONGEST - WINDOW ? sendAll() : look());
  const open = () => {
    extended = 0;
    window.set(look, WINDOW - QUIET);
  };
  const sender = createSender<ResultReport>(
    {
      peek: (max) => state.results().slice(0, Math.min(max, due)),
      async deliver(items, keepalive) {
        await http.send({ method: 'POST', path, body: { results: items }, keepalive });
        // By identity: a keepalive batch and a regular one may have overlapped.
        sent(items);
      },
      refuse(items, error) {
        logger.warn('could not report command results', error);
        sent(items);
      },
      size: (item) => utf8Length(JSON.stringify(item)) + 1,
      // What came while the last request was in flight gets its window now (unless one is open).
      idle: () => state.results().length > 0 && !window.pending && open(),
    },
    { backoff, timer: timers.timer(), logger, signals, batch: BATCH, unloadMax: BATCH },
  );
  return {
    report({ command, status, error }) {
      const item: ResultReport = { command_id: command.id, status };
      if (status === 'failed') item.error = errorMessage(error);
      state.addResult(item);
      outcomes++;
      // The first outcome of a window opens it.
      if (!window.pending) open();
    },
    kick: sendAll,
    unload(budget) {
      window.clear();
      due = state.results().length;
      sender.unload(budget);
    },
    close: sender.close,
  };
}
