import { DEFAULTS } from './defaults.js';
import { ConfigurationError, describe } from './errors.js';
import type { Logger, LogLevel } from './logger.js';
import { trimBase } from './protocol.js';
import type { TokenSource } from './token.js';
import type { FetchLike } from '../transport/http.js';

/** Options of `createVisitor`. */
export interface VisitorOptions {
  /**
   * The API's base URL, e.g. `https://api.example.com`. A path-only URL such
   * as `/api` is resolved against the page's location.
   */
  baseUrl: string;
  /** The engagement this visitor takes part in. */
  engagementId: string;
  /**
   * The visitor's access token, or a function returning one (sync or async).
   * A function is called on first use and once more after a 401 to get a
   * fresh token; the request is then sent again.
   */
  token: TokenSource;
  /**
   * The `fetch` to use.
   * @default globalThis.fetch, read on every request
   */
  fetch?: FetchLike;
  /**
   * Where warnings and errors go.
   * @default console
   */
  logger?: Logger;
  /**
   * The least severe level written to the logger.
   * @default 'warn'
   */
  logLevel?: LogLevel;
}

export interface ResolvedVisitorOptions {
  baseUrl: string;
  engagementId: string;
  token: TokenSource;
  getFetch: () => FetchLike;
  logger: Logger | undefined;
  logLevel: LogLevel;
}

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'warn', 'error', 'silent'];

/** Checks every option once, at creation, and names the one that is wrong. */
export function resolveVisitorOptions(options: VisitorOptions): ResolvedVisitorOptions {
  const where = 'createVisitor';
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('options', `${where}: expected an options object, got ${describe(options)}`);
  }
  const baseUrl = resolveBaseUrl(where, options.baseUrl);
  const engagementId = requireString(where, 'engagementId', options.engagementId);
  const token = options.token;
  if (typeof token === 'string') requireString(where, 'token', token);
  else if (typeof token !== 'function') {
    throw new ConfigurationError(
      'token',
      `${where}: option "token" must be a string or a function returning one, got ${describe(token)}`,
    );
  }
  const injected = optionalFunction(where, 'fetch', options.fetch) as FetchLike | undefined;
  const getFetch = (): FetchLike => {
    if (injected) return injected;
    const global = globalThis.fetch as FetchLike | undefined;
    if (typeof global !== 'function') {
      throw new ConfigurationError('fetch', `${where}: no global fetch here; pass option "fetch"`);
    }
    return global;
  };
  const logLevel = options.logLevel ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigurationError(
      'logLevel',
      `${where}: option "logLevel" must be one of ${LOG_LEVELS.join(', ')}, got ${describe(logLevel)}`,
    );
  }
  if (options.logger !== undefined && (typeof options.logger !== 'object' || options.logger === null)) {
    throw new ConfigurationError('logger', `${where}: option "logger" must be an object, got ${describe(options.logger)}`);
  }
  return { baseUrl, engagementId, token, getFetch, logger: options.logger, logLevel };
}

export function requireString(where: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    const got = value === undefined ? 'it is missing' : `got ${describe(value)}`;
    throw new ConfigurationError(option, `${where}: option "${option}" must be a non-empty string, ${got}`);
  }
  return value;
}

export function optionalFunction(where: string, option: string, value: unknown): unknown {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError(option, `${where}: option "${option}" must be a function, got ${describe(value)}`);
  }
  return value;
}

export function resolveBaseUrl(where: string, value: unknown): string {
  const raw = requireString(where, 'baseUrl', value);
  let url: URL;
  try {
    url = new URL(raw, globalThis.location?.href);
  } catch {
    throw new ConfigurationError(
      'baseUrl',
      `${where}: option "baseUrl" must be an absolute http(s) URL (or a path on a page), got ${describe(raw)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigurationError('baseUrl', `${where}: option "baseUrl" must use http or https, got ${describe(raw)}`);
  }
  if (url.search || url.hash) {
    throw new ConfigurationError('baseUrl', `${where}: option "baseUrl" must not have a query or fragment, got ${describe(raw)}`);
  }
  return trimBase(url.href);
}
