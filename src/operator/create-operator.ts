import { createHttpClient, type FetchLike, type HttpRequest } from '../http/client.js';
import type { BackoffOptions } from '../http/retry-policy.js';
import { sendWithRetries } from '../http/sender.js';
import { createTokenProvider, type TokenSource } from '../http/token.js';
import { requireWebCrypto, signBody, SIGNATURE_HEADER } from '../protocol/signature.js';
import {
  commandPath,
  engagementPath,
  type CommandWithResult,
  type CustomCommand,
  type EngagementMeta,
  type MetaChange,
  type TypingRequest,
  type TypingStatus,
} from '../protocol/wire.js';
import { badArgument, badOption, isJsonObject, isText, need, OPTIONAL_FUNCTION, resolveBaseUrl, STRING, STRING_OR_FUNCTION } from '../shared/check.js';
import { createTimers } from '../shared/timers.js';
import { isUuidV4, uuidv4 } from '../shared/uuid.js';

/** Options of `createOperator`. */
export interface OperatorOptions {
  /** The API's base URL. */
  baseUrl: string;
  /** The operator's token, or a function returning one (called again once after a 401). */
  token: TokenSource;
  /**
   * Sends of a command that failed on the network or with a retryable status
   * (5xx, 408, 425, 429) are repeated this many times, with the same id: the
   * PUT is idempotent, so a repeat never runs a command twice.
   * @default 2
   */
  retries?: number;
  /** @default { initialDelay: 500, maxDelay: 5000, factor: 2, jitter: 0.5 } */
  backoff?: Partial<BackoffOptions>;
  /** @default globalThis.fetch, read on every request */
  fetch?: FetchLike;
  /**
   * Signs every request body: header `X-SMCCSDK-SIGNATURE`, the hex
   * HMAC-SHA512 of the raw body keyed with this secret (as Engage Digital's
   * Send API signs), made with WebCrypto. For servers and bots only: a secret
   * in a page is a secret every visitor can read.
   * @default undefined (nothing signed)
   */
  secret?: string;
}

export interface SendCustomCommandInput<P extends Record<string, unknown> = Record<string, unknown>> {
  engagementId: string;
  /** Free-form JSON object; `properties.name` picks the visitor's handler by default. */
  properties: P;
  /** Shown in the visitor's transcript; without it the visitor shows a generic text. */
  content?: string;
  /** A version-4 UUID. Generated when absent; pass the same one to retry safely. */
  id?: string;
}

/**
 * The operator's typing as the visitor sees it (`POST .../typing`, Engage
 * Digital's typing.start / typing.stop). The server allows 10 per 10 s; the
 * client does not throttle. Also callable as `typing(engagementId, 'start' |
 * 'stop', preview?)` (deprecated: the form of 0.1).
 */
export interface OperatorTyping {
  /** Shows the operator typing in the visitor's transcript, with an optional preview. */
  start(engagementId: string, preview?: string): Promise<void>;
  /** Hides it. */
  stop(engagementId: string): Promise<void>;
  /** @deprecated Use `typing.start(engagementId, preview)` or `typing.stop(engagementId)`. */
  (engagementId: string, action: 'start' | 'stop', preview?: string): Promise<void>;
}

export interface Operator {
  /** `PUT /engagements/{engagement_id}/custom_commands/{command_id}` (Glia's REST API). */
  sendCustomCommand<P extends Record<string, unknown>>(input: SendCustomCommandInput<P>): Promise<CustomCommand<P>>;
  /** The command with its stream position, the visitor's result and read time (extension). */
  getCustomCommand(engagementId: string, id: string): Promise<CommandWithResult>;
  /**
   * Merges metadata and changes properties of the engagement (`POST
   * .../meta`, extension; ChatShipper's `/set`); the visitor gets the whole
   * new state as `visitor.meta` and a `meta:changed` event. Resolves with that state.
   */
  setMeta(engagementId: string, change: MetaChange): Promise<EngagementMeta>;
  readonly typing: OperatorTyping;
  /** Whether the visitor (and the operator) are typing now, with the visitor's preview. */
  getTyping(engagementId: string): Promise<TypingStatus>;
}

const W = 'createOperator';

/** The operator side: for consoles, bots and servers. The demo's console uses it. */
export function createOperator(options: OperatorOptions): Operator {
  // Spread: no options at all is then "baseUrl ... is missing", not a TypeError.
  const { baseUrl, token, retries = 2, backoff, fetch: fetchOption, secret } = { ...options };
  const url = resolveBaseUrl(W, baseUrl);
  need(W, 'token', token, STRING_OR_FUNCTION);
  if (!Number.isSafeInteger(retries) || retries < 0) badOption(W, 'retries', 'a non-negative integer', retries);
  need(W, 'fetch', fetchOption, OPTIONAL_FUNCTION);
  if (secret !== undefined) {
    need(W, 'secret', secret, STRING);
    requireWebCrypto(W);
  }
  const delays = { initialDelay: 500, maxDelay: 5_000, factor: 2, jitter: 0.5, ...backoff };
  const timers = createTimers(() => {});
  const http = createHttpClient({
    baseUrl: url,
    token: createTokenProvider(token, W),
    // Signed where the exact bytes are known: the body string the client made.
    // The client always passes an init, with a JSON string as body when there is one.
    getFetch: () => async (url, init) =>
      (fetchOption ?? fetch)(
        url,
        secret !== undefined && init!.body
          ? { ...init, headers: { ...(init!.headers as object), [SIGNATURE_HEADER]: await signBody(secret, init!.body as string) } }
          : init,
      ),
  });
  const send = <T>(method: HttpRequest['method'], path: string, body?: unknown) => http.send<T>({ method, path, body });
  /** `engagementId`, checked for the method `at`. */
  const engagement = (at: string, engagementId: unknown) => (isText(engagementId) ? engagementId : badArgument(at, 'engagementId', 'a non-empty string', engagementId));
  const optionalString = (at: string, name: string, value: unknown) => value === undefined || typeof value === 'string' || badArgument(at, name, 'a string', value);

  const postTyping = async (at: string, engagementId: string, action: 'start' | 'stop', preview?: string) => {
    if (action !== 'start' && action !== 'stop') badArgument(at, 'action', "'start' or 'stop'", action);
    optionalString(at, 'preview', preview);
    const body: TypingRequest = { action: `typing.${action}`, params: preview && action === 'start' ? { preview } : {} };
    await send('POST', engagementPath(engagement(at, engagementId), '/typing'), body);
  };
  const typing = Object.assign((engagementId: string, action: 'start' | 'stop', preview?: string) => postTyping('typing', engagementId, action, preview), {
    start: (engagementId: string, preview?: string) => postTyping('typing.start', engagementId, 'start', preview),
    stop: (engagementId: string) => postTyping('typing.stop', engagementId, 'stop'),
  });

  return {
    async sendCustomCommand(input) {
      const at = 'sendCustomCommand';
      // Spread: no input at all is then "engagementId must be ...", not a TypeError.
      const { engagementId, properties, content, id = uuidv4() } = { ...input };
      if (!isJsonObject(properties)) badArgument(at, 'properties', 'a JSON object', properties);
      optionalString(at, 'content', content);
      if (!isUuidV4(id)) badArgument(at, 'id', 'a version-4 UUID', id);
      const path = commandPath(engagement(at, engagementId), id);
      // Through the one retry loop: the same id each time, so the server stores it once.
      return sendWithRetries(() => send('PUT', path, { content, properties }), {
        backoff: delays,
        attempts: retries + 1,
        timer: timers.timer(),
        logger: { debug() {}, warn() {}, error() {} },
      });
    },

    async getCustomCommand(engagementId, id) {
      if (!isText(id)) badArgument('getCustomCommand', 'id', 'a non-empty string', id);
      return send('GET', commandPath(engagement('getCustomCommand', engagementId), id));
    },

    async setMeta(engagementId, change) {
      if (!isJsonObject(change)) badArgument('setMeta', 'change', 'an object', change);
      return send('POST', engagementPath(engagement('setMeta', engagementId), '/meta'), change);
    },

    typing,

    async getTyping(engagementId) {
      return send('GET', engagementPath(engagement('getTyping', engagementId), '/typing'));
    },
  };
}
