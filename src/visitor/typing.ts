import { badArgument } from '../shared/check.js';
import type { Logger } from '../shared/logger.js';
import type { Timers } from '../shared/timers.js';
import type { HttpClient } from '../http/client.js';

/** The visitor's typing indicator, as the operator sees it (Engage Digital's `typing.start` / `typing.stop`). */
export interface Typing {
  /**
   * The visitor is typing; `preview` is the text so far. Call it on every
   * keystroke: it is throttled, and stops by itself after a pause.
   */
  start(preview?: string): void;
  /** The visitor stopped typing (sent the message, cleared the field). Sends one `typing.stop`, only after a start. */
  stop(): void;
}

export interface TypingDeps {
  http: HttpClient;
  /** `/engagements/{id}/typing` */
  path: string;
  timers: Timers;
  logger: Logger;
  /** At most one `typing.start` per this many ms. */
  throttle: number;
  /** A stop is sent this long after the last `start()`. */
  idle: number;
}

/**
 * Sends what the operator needs and no more: a `typing.start` at most once per
 * `throttle` (the latest preview follows at the end of the window when it
 * changed), one `typing.stop` per start. Starts are counted per window
 * whatever stops come between, so 3 s and a server limit of 10 per 10 s can
 * never meet: at most 4 starts and 4 stops.
 * Sending is best effort: a typing indicator that did not arrive is not worth a retry.
 */
export function createTyping(deps: TypingDeps): Typing {
  const window = deps.timers.timer(); // the latest preview, at the end of the throttle window
  const idle = deps.timers.timer(); // the stop after a pause
  let lastStart = -Infinity;
  /** What the server was told: the preview while typing, undefined when not. */
  let sent: string | undefined;
  let wanted: string | undefined;
  const post = (action: string, preview?: string) => {
    action = `typing.${action}`;
    deps.http
      .send({ method: 'POST', path: deps.path, body: { action, params: preview ? { preview } : {} } })
      .catch((error: unknown) => deps.logger.debug(`${action} not sent`, error));
  };
  const sync = () => {
    const wait = lastStart + deps.throttle - Date.now();
    if (wanted === undefined) {
      window.clear();
      if (sent !== undefined) post('stop', (sent = wanted));
    } else if (wait <= 0) {
      lastStart = Date.now();
      post('start', (sent = wanted));
    } else if (wanted !== sent) window.set(sync, wait);
  };
  const stop = () => {
    wanted = undefined;
    idle.clear();
    sync();
  };
  return {
    start(preview = '') {
      if (typeof preview !== 'string') badArgument('typing.start', 'preview', 'a string', preview);
      wanted = preview;
      idle.set(stop, deps.idle);
      sync();
    },
    stop,
  };
}
