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
 */
import * as sdk from './index.js';
import type { Visitor } from './index.js';
import { isStub, replay } from './loader/replay.js';

type Api = typeof sdk & { ready(callback: (api: Api) => void): void };

const LOADED = Symbol.for('engagekit.global');
const root = globalThis as { EngageKit?: unknown; console?: Console };
const warn = (message: string) => root.console?.warn(`EngageKit: ${message}`);
const existing = root.EngageKit as Record<PropertyKey, unknown> | undefined;

if (existing?.[LOADED]) {
  warn('this script was loaded twice; the copy loaded first stays, this one does nothing. Remove the extra <script> tag.');
} else {
  // One visitor per engagement on the page, whoever asks for it.
  const running = new Map<string, Visitor>();
  const api: Api = {
    ...sdk,
    createVisitor(options) {
      const id = options?.engagementId;
      const visitor = running.get(id);
      if (visitor && visitor.connection.status !== 'closed') {
        warn(
          `a visitor of engagement "${id}" is already running on this page: createVisitor returns it ` +
            'instead of opening a second connection, and ignores the options it was given this time.',
        );
        return visitor as never;
      }
      const created = sdk.createVisitor(options);
      running.set(created.engagementId, created as Visitor);
      return created;
    },
    ready(callback) {
      callback(api);
    },
  };
  Object.defineProperty(api, LOADED, { value: true });
  root.EngageKit = api;
  if (isStub(existing)) replay(existing, api, (error) => root.console?.error('EngageKit:', error));
}
