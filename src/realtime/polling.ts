import type { HttpClient } from '../http/client.js';
import { isHttpError, type EngageKitError } from '../shared/errors.js';
import type { Timer } from '../shared/timers.js';
import type { AttemptHandlers, TransportAttempt } from './transport.js';

interface PollPage {
  commands?: Array<{ seq?: unknown; command?: unknown }>;
  /** Not checked: anything but a number compares false, and the progress check below stops a spin. */
  last_seq?: number;
  meta?: unknown;
}

export interface PollingAttemptDeps {
  http: HttpClient;
  /** `/engagements/{id}/custom_commands` */
  path: string;
  /** The resume position, read before every poll. */
  position: () => number;
  /** Between polls (ms). */
  interval: number;
  /** The poll's own timer handle. */
  timer: Timer;
}

/**
 * The HTTP fallback: `GET {path}?after={position}` every `interval`, at once
 * again while a full page shows more waiting. Ends at the first failed poll
 * (the connection backs off and starts again).
 */
export function startPolling({ http, path, position, interval, timer }: PollingAttemptDeps, handlers: AttemptHandlers): TransportAttempt {
  let live = true;
  const poll = () => {
    const before = position();
    http.send<PollPage | undefined>({ method: 'GET', path: `${path}?after=${before}` }).then(
      (page) => {
        if (!live) return;
        const { meta, commands, last_seq } = page ?? {};
        handlers.onOpen(last_seq);
        if (!live) return;
        if (meta) handlers.onMeta(meta);
        if (Array.isArray(commands)) for (const entry of commands) if (live) handlers.onCommand(entry?.seq, entry?.command);
        if (!live) return;
        // More waiting than one page holds: fetch the rest now, but only while we
        // make progress, so a page of unusable frames cannot spin us.
        const after = position();
        timer.set(poll, (last_seq as number) > after && after > before ? 0 : interval);
      },
      (error: unknown) => {
        if (!live) return;
        live = false;
        const status = isHttpError(error) ? error.status : undefined;
        handlers.onEnd({ reason: (error as Error).message, code: status === undefined ? undefined : 4000 + status, error: error as EngageKitError });
      },
    );
  };
  poll();
  return {
    close() {
      live = false;
      timer.clear();
    },
  };
}
