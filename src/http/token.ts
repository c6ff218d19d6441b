import { ConfigurationError, isEngageKitError, NetworkError, type EngageKitError } from '../shared/errors.js';
import { describe } from '../shared/check.js';

/** A token, or a function that returns one (it is called again once after a 401). */
export type TokenSource = string | (() => string | Promise<string>);

export interface TokenProvider {
  /** The current token; the first call resolves a function source. */
  get(): Promise<string>;
  /**
   * A fresh token after the server refused `rejected`. Concurrent callers that
   * saw the same rejected token share one refresh. Resolves `undefined` when
   * the source is a plain string: there is nothing to refresh.
   */
  refresh(rejected: string): Promise<string | undefined>;
}

/**
 * What a request makes of a failed `get()` or `refresh()`: the provider's own
 * errors (a token function that returned no token: a configuration error) as
 * they are; anything the token function threw (its endpoint down, offline) is
 * a `NetworkError` of the request, retried like one: a token function that
 * fails once must not lose an event or end the connection.
 */
export function tokenFailure(error: unknown, method: string, url: string): EngageKitError {
  return isEngageKitError(error) ? error : new NetworkError(method, url, error, 'was not sent: the token function failed');
}

/** `where`: the factory whose option "token" this is, named in the error when a token function returns no token. */
export function createTokenProvider(source: TokenSource, where = 'createVisitor'): TokenProvider {
  let current: Promise<string> | undefined;
  const call = (): Promise<string> => {
    const pending = (current = (async () => {
      // A string source was validated with the options (createVisitor, createOperator): the check is for functions.
      const token = typeof source === 'string' ? source : await source();
      if (typeof token !== 'string' || !token.trim()) {
        throw new ConfigurationError('token', `${where}: option "token" returned ${describe(token)}, not a non-empty string`);
      }
      return token;
    })());
    // A failed call must not poison later ones: the next get() calls again.
    pending.catch(() => current === pending && (current = undefined));
    return pending;
  };
  return {
    get: () => current ?? call(),
    async refresh(rejected) {
      if (typeof source === 'string') return; // nothing to refresh
      const before = current;
      const seen = await (before ?? call()).catch(() => {});
      // Someone else refreshed while we waited, or already past the rejected
      // token: use theirs, so N concurrent 401s cost one call.
      return current && current !== before ? current : seen && seen !== rejected ? seen : call();
    },
  };
}
