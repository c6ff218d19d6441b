import type { Turn } from '../realtime/connection.js';
import { holdLock, type LockManagerLike } from '../shared/locks.js';
import type { Logger } from '../shared/logger.js';

export interface TabsDeps {
  /** Option `tabs`. */
  mode: 'one' | 'each';
  /** Web Locks: the option, or `navigator.locks`; undefined where there are none. */
  locks: LockManagerLike | undefined;
  /** The leader's lock: one per engagement. */
  lockName: string;
  logger: Logger;
  /**
   * This tab now runs the commands: take over what the tab before it left;
   * its turn starts when this resolves. `mine()` turns false once the turn is
   * released meanwhile (the page left, the visitor closed): then stop there.
   */
  onLead: (mine: () => boolean) => Promise<void>;
}

export interface Tabs {
  /** Whether tabs take turns: one tab leads and runs commands. */
  readonly leads: boolean;
  /** The connection's gate: waits for this tab's turn. Undefined: every tab runs commands. */
  readonly waitForTurn: (() => Turn) | undefined;
}

/**
 * Tab leadership, in one place. With `tabs: 'one'` and Web Locks, the tabs of
 * a visitor take turns: one holds the engagement's lock and runs its
 * commands; the browser hands the lock to the next tab when it goes. With
 * `'each'`, or without Web Locks, every tab runs them. When the browser
 * refuses the lock (site data blocked), this tab runs them anyway, and says
 * once what that costs.
 */
export function createTabs({ mode, locks, lockName, logger, onLead }: TabsDeps): Tabs {
  const leads = mode === 'one' && locks !== undefined;
  let warned = false;
  return {
    leads,
    waitForTurn: leads
      ? () => {
          const lock = holdLock(locks, lockName);
          let released = false;
          const mine = () => !released;
          const acquired = lock.acquired
            .then(
              (granted) => granted,
              (error: unknown) => {
                if (!warned) {
                  warned = true;
                  logger.warn(
                    `Web Locks are unavailable (${(error as Error)?.name ?? String(error)}): this tab runs commands without waiting its turn; with several tabs open, each may run them`,
                  );
                }
                return true;
              },
            )
            .then(async (granted) => {
              if (granted) await onLead(mine);
              return granted && mine();
            });
          return {
            acquired,
            release() {
              released = true;
              lock.release();
            },
          };
        }
      : undefined,
  };
}
