import type { HttpClient } from '../http/client.js';
import { MAX_POLL_WAIT } from '../protocol/wire.js';
import { isHttpError, type EngageKitError } from '../shared/errors.js';
import type { Timer } from '../shared/timers.js';
import type { AttemptHandlers, TransportAttempt } from './transport.js';

interface PollPage {
  commands?: Array<{ seq?: unknown; command?: unknown }>;
  /** Not checked: anything but a number compares false, and the progress check below stops a spin. */
  last_seq?: number;
  meta?: unknown;
  /** Present when the server holds polls (docs/protocol.md, "Long polling"). */
  wait?: unknown;
}

export interface PollingAttemptDeps {
  http: HttpClient;
  /** `/engagements/{id}/custom_commands` */
  path: string;
  /** The resume position, read before every poll. */
  position: () => number;
  /** Between polls (ms) when the server does not hold them. */
  interval: number;
  /** The poll's own timer handle. */
  timer: Timer;
}

/** A held poll that the network has not answered this long after its `wait` is taken for lost. */
const HOLD_GRACE_MS = 10_000;

/**
 * Answers of a holding server that came back this early with nothing new,
 * in a row, after which we pace with `interval`: a server (or a proxy) that
 * says it holds and does not must not make us spin. One early answer is
 * normal (a meta change wakes a held poll).
 */
const EARLY_MS = 1_000;
const EARLY_LIMIT = 2;

/**
 * The HTTP fallback: `GET {path}?after={position}&wait=S`. The first poll
 * asks with `wait=0` (answered at once: it opens the connection, as a
 * socket's `ready` does). When the server's answer carries `wait`, it holds
 * polls: each next poll asks with `wait=25` and goes out as soon as the last
 * one is answered, so a command arrives as soon as the server has it. A
 * server that answers without `wait` does not hold: we poll every
 * `interval`. At once again, either way, while a full page shows more
 * waiting. Ends at the first failed poll (the connection backs off and
 * starts again).
 */
export function startPolling({ http, path, position, interval, timer }: PollingAttemptDeps, handlers: AttemptHandlers): TransportAttempt {
  let live = true;
  /** The server said it holds polls. */
  let holds = false;
  let early = 0;
  let request: AbortController | undefined;

  const poll = () => {
    const before = position();
    const wait = holds ? MAX_POLL_WAIT : 0;
    const started = Date.now();
    const controller = (request = new AbortController());
    let timedOut = false;
    if (wait > 0) {
      timer.set(() => {
        timedOut = true;
        controller.abort();
      }, wait * 1000 + HOLD_GRACE_MS);
    }
    http.send<PollPage | undefined>({ method: 'GET', path: `${path}?after=${before}&wait=${wait}`, signal: controller.signal }).then(
      (page) => {
        if (!live) return;
        timer.clear();
        const { meta, commands, last_seq } = page ?? {};
        handlers.onOpen(last_seq);
        if (!live) return;
        if (meta) handlers.onMeta(meta);
        if (Array.isArray(commands)) for (const entry of commands) if (live) handlers.onCommand(entry?.seq, entry?.command);
        if (!live) return;
        holds = typeof page?.wait === 'number';
        const after = position();
        const progress = after > before;
        // More waiting than one page holds: fetch the rest now, but only while we
        // make progress, so a page of unusable frames cannot spin us.
        if ((last_seq as number) > after && progress) return timer.set(poll, 0);
        if (!holds) return timer.set(poll, interval);
        early = wait > 0 && !progress && Date.now() - started < EARLY_MS ? early + 1 : 0;
        timer.set(poll, early >= EARLY_LIMIT ? interval : 0);
      },
      (error: unknown) => {
        if (!live) return;
        live = false;
        timer.clear();
        const status = isHttpError(error) ? error.status : undefined;
        const reason = timedOut ? `a held poll got no answer within ${wait + HOLD_GRACE_MS / 1000} s` : (error as Error).message;
        handlers.onEnd({ reason, code: status === undefined ? undefined : 4000 + status, error: error as EngageKitError });
      },
    );
  };
  poll();
  return {
    close() {
      live = false;
      timer.clear();
      // A held poll would stay open up to `wait` seconds, holding one of the browser's connections.
      request?.abort();
    },
  };
}
