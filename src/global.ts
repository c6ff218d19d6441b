/**
 * The script-tag entry, `dist/engagekit.global.js`: installs `window.EngageKit`.
 * Only what a site without a bundler needs; the reference server is never
 * part of it.
 *
 * - After the loader stub (dist/engagekit.loader.js or the README's snippet):
 *   replays the calls queued on it, in order, and takes its place.
 * - Loaded twice (two tags, a tag manager and a hard-coded tag): the first
 *   copy stays, the second only warns. `EngageKit.createVisitor` returns the
 *   running visitor of an engagement instead of opening a second connection.
 *   Like the stub, it never replaces a `window.EngageKit` that is not the stub.
 */
import * as sdk from './index.js';
import type { Visitor } from './index.js';
import type { StubApi } from './loader/protocol.js';
import { replay } from './loader/replay.js';

type Api = typeof sdk & { ready(callback: (api: Api) => void): void };

const root = globalThis as { EngageKit?: Partial<StubApi> };
const warn = (message: string) => console.warn(`EngageKit: ${message}`);
const existing = root.EngageKit;

if (existing && !existing._q) {
  warn('loaded twice; remove the extra <script> tag');
} else {
  // One visitor per engagement on the page, whoever asks for it.
  const running = new Map<string, Visitor>();
  const api: Api = {
    ...sdk,
    createVisitor(options) {
      const id = options?.engagementId;
      let visitor = running.get(id);
      if (visitor && visitor.connection.status !== 'closed') {
        warn(`createVisitor: engagement "${id}" already running on this page, options ignored`);
      } else {
        // Closed, or refused by the server (e.g. a new token follows): the new visitor replaces it,
        // and the old one stops for good (a refused visitor would still hold its state and timers).
        visitor?.close();
        running.set(id, (visitor = sdk.createVisitor(options) as Visitor));
      }
      return visitor as never;
    },
    ready(callback) {
      callback(api);
    },
  };
  root.EngageKit = api as never;
  if (existing) replay(existing as StubApi, api, (error) => console.error('EngageKit:', error));
}
