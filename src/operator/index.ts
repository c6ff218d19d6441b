import { ConfigurationError, describe, InvalidArgumentError } from '../core/errors.js';
import { optionalFunction, requireString, resolveBaseUrl } from '../core/options.js';
import { commandPath, engagementPath, isJsonObject, type CustomCommand, type EngagementMeta, type EngagementProperties } from '../core/protocol.js';
import { requireWebCrypto, signBody, SIGNATURE_HEADER } from '../core/signature.js';
import { createTokenProvider, type TokenSource } from '../core/token.js';
import { isUuidV4, uuidv4 } from '../core/uuid.js';
import { createHttpTransport, type FetchLike, type HttpRequest } from '../transport/http.js';
import { retryDelay, type BackoffOptions } from '../transport/retry-policy.js';

export type { CustomCommand, EngagementMeta, EngagementProperties } from '../core/protocol.js';
export {
  parseCommandLine,
  formatCommandLineError,
  isCommandLineError,
  ENGAGEMENT_PROPERTIES,
  TOUCHPOINTS,
  type ParsedCommandLine,
  type CommandLineError,
  type CommandLineValue,
  type EngagementProperty,
  type JsonValue,
} from './command-line.js';
export { sendCommandLine, type CommandLineResult } from './send-command-line.js';

/** Options of `createOperator`. */
export interface OperatorOptions {
  /** The API's base URL. */
  baseUrl: string;
  /** The operator's token, or a function returning one (called again once after a 401). */
  token: TokenSource;
  /**
   * Sends of a command that failed on the network or with a retryable status
   * (5xx, 408, 429) are repeated this many times, with the same id: the PUT is
   * idempotent, so a repeat never runs a command twice.
   * @default 2
   */
  retries?: number;
  /** @default { initialDelay: 500, maxDelay: 5000, factor: 2, jitter: 0.5 } */
  backoff?: Partial<BackoffOptions>;
  /** @default globalThis.fetch, read on every request */
  fetch?: FetchLike;
  /**
   * Signs every request body: header `X-SMCCSDK-SIGNATURE`, the hex
   * HMAC-SHA512 of the raw body keyed with this secret (seed 004), made with
   * WebCrypto. For servers and bots only: a secret in a page is a secret every
   * visitor can read.
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

export interface CommandResult {
  command_id: string;
  /** `scheduled`: the command set a timer; its handler runs when the timer fires (seed 002). */
  status: 'executed' | 'failed' | 'unhandled' | 'scheduled';
  error: string | null;
  reported_at: string;
}

export interface CommandWithResult extends CustomCommand {
  seq: number;
  /** `null` until the visitor reports what happened. */
  result: CommandResult | null;
  /** When the visitor marked it read (`visitor.markAsRead`); absent until then. */
  read_at?: string;
}

/** The body of `setMeta`: either part, or both. */
export interface MetaChange {
  /** Merged into the engagement's metadata key by key (seed 001's `/set key value`, `/set {...}`). */
  meta?: Record<string, unknown>;
  /** Seed 001's `/set @name`, `@category`, `@touchpoint`, `@language`. */
  properties?: EngagementProperties;
}

/** Someone's typing as the server has it. */
export interface TypingView {
  active: boolean;
  preview?: string;
}

export interface Operator {
  /** `PUT /engagements/{engagement_id}/custom_commands/{command_id}` (seed 000). */
  sendCustomCommand<P extends Record<string, unknown>>(input: SendCustomCommandInput<P>): Promise<CustomCommand<P>>;
  /** The command with its stream position, the visitor's result and read time (extension). */
  getCustomCommand(engagementId: string, id: string): Promise<CommandWithResult>;
  /**
   * Merges metadata and changes properties of the engagement (`POST
   * .../meta`, extension); the visitor gets the whole new state as
   * `visitor.meta` and a `meta` event. Resolves with that state.
   */
  setMeta(engagementId: string, change: MetaChange): Promise<EngagementMeta>;
  /**
   * Shows (`'start'`, with an optional preview) or hides (`'stop'`) the
   * operator's typing in the visitor's transcript (`POST .../typing`, seed
   * 004's typing.start / typing.stop). The server allows 10 per 10 s.
   */
  typing(engagementId: string, action: 'start' | 'stop', preview?: string): Promise<void>;
  /** Whether the visitor (and the operator) are typing now, with the visitor's preview. */
  getTyping(engagementId: string): Promise<{ visitor: TypingView; operator: TypingView }>;
}

/** The operator side: for consoles, bots and servers. The demo's console uses it. */
export function createOperator(options: OperatorOptions): Operator {
  const where = 'createOperator';
  // One message shape for every refused option or argument: where, which, what was expected, what came.
  const fail = (at: string, name: string, what: string, value: unknown, E: new (name: string, message: string) => Error = InvalidArgumentError): never => {
    throw new E(name, `${at}: ${E == InvalidArgumentError ? name : `option "${name}"`} must be ${what}, got ${describe(value)}`);
  };
  const need = (at: string, engagementId: unknown) =>
    (typeof engagementId == 'string' && engagementId) || fail(at, 'engagementId', 'a non-empty string', engagementId);
  const optionalString = (at: string, name: string, value: unknown) =>
    value === undefined || typeof value == 'string' || fail(at, name, 'a string', value);
  // Spread: no options at all is then "baseUrl ... is missing", not a TypeError.
  const { baseUrl, token, retries = 2, backoff, fetch: fetchOption, secret } = { ...options };
  const url = resolveBaseUrl(where, baseUrl);
  if (typeof token != 'function' && (typeof token != 'string' || !token.trim())) {
    fail(where, 'token', 'a non-empty string or a function', token, ConfigurationError);
  }
  if (!Number.isSafeInteger(retries) || retries < 0) fail(where, 'retries', 'a non-negative integer', retries, ConfigurationError);
  optionalFunction(where, 'fetch', fetchOption);
  if (secret !== undefined) {
    requireString(where, 'secret', secret);
    requireWebCrypto(where);
  }
  const delays = { initialDelay: 500, maxDelay: 5_000, factor: 2, jitter: 0.5, ...backoff };
  const http = createHttpTransport({
    baseUrl: url,
    token: createTokenProvider(token, where),
    // Signed where the exact bytes are known: the body string the transport made.
    // The transport always passes an init, with a JSON string as body when there is one.
    getFetch: () => async (url, init) =>
      (fetchOption ?? fetch)(
        url,
        secret && init!.body ? { ...init, headers: { ...(init!.headers as object), [SIGNATURE_HEADER]: await signBody(secret, init!.body as string) } } : init,
      ),
  });
  const send = <T>(method: HttpRequest['method'], path: string, body?: unknown) => http.send<T>({ method, path, body });

  return {
    async sendCustomCommand(input) {
      const at = 'sendCustomCommand';
      // Spread: no input at all is then "engagementId must be ...", not a TypeError.
      const { engagementId, properties, content, id = uuidv4() } = { ...input };
      if (!isJsonObject(properties)) fail(at, 'properties', 'a JSON object', properties);
      optionalString(at, 'content', content);
      if (!isUuidV4(id)) fail(at, 'id', 'a version-4 UUID', id);
      const path = commandPath(need(at, engagementId), id);
      for (let attempt = 1; ; attempt++) {
        try {
          return await send('PUT', path, { content, properties });
        } catch (error) {
          const delay = retryDelay(error, attempt, delays);
          if (attempt > retries || delay === undefined) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },

    getCustomCommand: (engagementId, id) => send('GET', commandPath(engagementId, id)),

    async setMeta(engagementId, change) {
      if (!isJsonObject(change)) fail('setMeta', 'change', 'an object', change);
      return send('POST', engagementPath(need('setMeta', engagementId), '/meta'), change);
    },

    async typing(engagementId, action, preview) {
      if (action != 'start' && action != 'stop') fail('typing', 'action', "'start' or 'stop'", action);
      optionalString('typing', 'preview', preview);
      await send('POST', engagementPath(need('typing', engagementId), '/typing'), {
        action: `typing.${action}`,
        params: preview && action == 'start' ? { preview } : {},
      });
    },

    async getTyping(engagementId) {
      return send('GET', engagementPath(need('getTyping', engagementId), '/typing'));
    },
  };
}
