import type { Timer } from '../shared/timers.js';

export interface HeartbeatDeps {
  /** A `ping` after this long without a frame (ms). */
  interval: number;
  /** Dead this long after an unanswered ping (ms). */
  timeout: number;
  /** The heartbeat's own timer handle. */
  timer: Timer;
  ping(): void;
  /** No frame came within `timeout` of a ping: the socket is half-open. */
  dead(): void;
}

export interface Heartbeat {
  /** A frame arrived: any frame answers a ping. Cheap: a burst of frames costs no timer churn. */
  frame(): void;
  start(): void;
  stop(): void;
}

/**
 * Detects a half-open socket (laptop lid closed, proxy gone) that would
 * otherwise look open forever: a `ping` after `interval` without a frame,
 * dead when no frame came `timeout` after it. Frames only stamp the time; the
 * timer wakes once per interval and looks.
 */
export function createHeartbeat({ interval, timeout, timer, ping, dead }: HeartbeatDeps): Heartbeat {
  let lastFrameAt = 0;
  /** When the unanswered ping went (at the latest); a frame at or after it answers it. */
  let pingedAt = 0;
  const beat = (wait = lastFrameAt + interval - Date.now()) => {
    if (lastFrameAt < pingedAt) return dead();
    if (wait > 0) return timer.set(beat, wait);
    timer.set(beat, timeout);
    // Not later than now: any frame from here on answers the ping.
    pingedAt = lastFrameAt + interval;
    ping();
  };
  return {
    frame() {
      lastFrameAt = Date.now();
    },
    start() {
      lastFrameAt = Date.now();
      pingedAt = 0;
      beat();
    },
    stop: () => timer.clear(),
  };
}
