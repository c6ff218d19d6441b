/**
 * Argument and option checks, with one message shape for all of them:
 * `<where>: <what> must be <must>, got <value>`. Every factory and method of
 * the SDK checks its input with these, so that a mistake names itself.
 */
import { ConfigurationError, InvalidArgumentError } from './errors.js';

/** A JSON object: not null, not an array (what `properties`, bodies and frames must be). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Describes a value for an error message: its type, and the value itself when short. */
export function describe(value: unknown): string {
  const type = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (type === 'string') {
    const text = value as string;
    return text.length > 40 ? `a string of length ${text.length}` : JSON.stringify(text);
  }
  if (type === 'number' || type === 'boolean') return `${type} ${value}`;
  return type === 'object' || type === 'array' ? `an ${type}` : type;
}

/** A string with something else than whitespace in it. */
export const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Throws `ConfigurationError(option, "<where>: option "<option>" must be <must>, got <value>")`. */
export function badOption(where: string, option: string, must: string, value: unknown): never {
  throw new ConfigurationError(option, `${where}: option "${option}" must be ${must}, got ${describe(value)}`);
}

/** Throws `InvalidArgumentError(name, "<where>: <name> must be <must>, got <got>")`. */
export function badArgument(where: string, name: string, must: string, value: unknown, got = describe(value)): never {
  throw new InvalidArgumentError(name, `${where}: ${name} must be ${must}, got ${got}`);
}

/** A kind of option value: its test, what the error says it must be, and (in a table of options) the default. */
export type Check = readonly [ok: (value: never) => unknown, must: string, fallback?: unknown];

/** `value` if it passes `check`, else the ConfigurationError naming `option`. */
export function need<T>(where: string, option: string, value: unknown, [ok, must]: Check): T {
  return (ok(value as never) ? value : badOption(where, option, must, value)) as T;
}

export const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

export const STRING: Check = [isText, 'a non-empty string'];
export const STRING_OR_FUNCTION: Check = [(value: unknown) => isFunction(value) || isText(value), 'a non-empty string or a function'];
/** Lets `undefined` through: for options without a default. */
export const OPTIONAL_FUNCTION: Check = [(value: unknown) => value === undefined || isFunction(value), 'a function'];

/** Strips a trailing slash so that `baseUrl + path` never has `//`. */
export function trimBase(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `value` resolved against the page as a URL whose href matches `pattern`, else a ConfigurationError. */
export function checkUrl(where: string, option: string, value: unknown, pattern: RegExp, must: string): string {
  const raw = need<string>(where, option, value, STRING);
  try {
    const href = new URL(raw, globalThis.location?.href).href;
    if (pattern.test(href)) return href;
  } catch {
    // reported below
  }
  return badOption(where, option, must, raw);
}

/** An absolute http(s) URL, or a path resolved against the page; no query or fragment; no trailing slash. */
export function resolveBaseUrl(where: string, value: unknown): string {
  return trimBase(checkUrl(where, 'baseUrl', value, /^https?:[^?#]*$/, 'an http(s) URL or path, without query or fragment'));
}
