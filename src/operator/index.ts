import { ConfigurationError, describe, InvalidArgumentError } from '../core/errors.js';
import { optionalFunction, requireString, resolveBaseUrl } from '../core/options.js';
import { commandPath, engagementPath, isJsonObject, type CustomCommand, type EngagementMeta, type EngagementProperties } from '../core/protocol.js';
import { signBody, SIGNATURE_HEADER } from '../core/signature.js';
import { createTokenProvider, type TokenSource } from '../core/token.js';
import { isUuidV4, uuidv4 } from '../core/uuid.js';
import { createHttpTransport, type FetchLike } from '../transport/http.js';
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

const DEFAULT_BACKOFF: BackoffOptions = Object.freeze({ initialDelay: 500, maxDelay: 5_000, factor: 2, jitter: 0.5 });

/** The operator side: for consoles, bots and servers. The demo's console uses it. */
export function createOperator(options: OperatorOptions): Operator {
  const where = 'createOperator';
  if (options === null || typeof options !== 'object') {
    throw new ConfigurationError('options', `${where}: expected an options object, got ${describe(options)}`);
  }
  const baseUrl = resolveBaseUrl(where, options.baseUrl);
  if (typeof options.token === 'string') requireString(where, 'token', options.token);
  else if (typeof options.token !== 'function') {
    throw new ConfigurationError('token', `${where}: option "token" must be a string or a function returning one, got ${describe(options.token)}`);
  }
  const retries = options.retries ?? 2;
  if (!Number.isSafeInteger(retries) || retries < 0) {
    throw new ConfigurationError('retries', `${where}: option "retries" must be a non-negative integer, got ${describe(retries)}`);
  }
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const fetchOption = optionalFunction(where, 'fetch', options.fetch) as FetchLike | undefined;
  const { secret } = options;
  if (secret !== undefined && (typeof secret !== 'string' || secret === '')) {
    throw new ConfigurationError('secret', `${where}: option "secret" must be a non-empty string, got ${describe(secret)}`);
  }
  const getFetch = () => fetchOption ?? globalThis.fetch;
  // Signed where the exact bytes are known: the body string the transport made.
  const signing: FetchLike = async (url, init) => {
    const body = init?.body;
    if (secret === undefined || typeof body !== 'string') return getFetch()(url, init);
    const headers = { ...(init!.headers as Record<string, string>), [SIGNATURE_HEADER]: await signBody(secret, body) };
    return getFetch()(url, { ...init, headers });
  };
  const http = createHttpTransport({ baseUrl, token: createTokenProvider(options.token), getFetch: () => signing });
  const check = (method: string, engagementId: unknown) => {
    if (typeof engagementId !== 'string' || engagementId === '') {
      throw new InvalidArgumentError('engagementId', `${method}: engagementId must be a non-empty string, got ${describe(engagementId)}`);
    }
  };

  return {
    async sendCustomCommand(input) {
      const method = 'sendCustomCommand';
      if (input === null || typeof input !== 'object') {
        throw new InvalidArgumentError('input', `${method}: expected { engagementId, properties, content?, id? }, got ${describe(input)}`);
      }
      const { engagementId, properties, content } = input;
      check(method, engagementId);
      if (!isJsonObject(properties)) {
        throw new InvalidArgumentError('properties', `${method}: properties must be a JSON object, got ${describe(properties)}`);
      }
      if (content !== undefined && typeof content !== 'string') {
        throw new InvalidArgumentError('content', `${method}: content must be a string when given, got ${describe(content)}`);
      }
      const id = input.id ?? uuidv4();
      if (!isUuidV4(id)) {
        throw new InvalidArgumentError('id', `${method}: id must be a version-4 UUID, got ${describe(id)}`);
      }
      const body = content === undefined ? { properties } : { content, properties };
      for (let attempt = 1; ; attempt++) {
        try {
          return await http.send({ method: 'PUT', path: commandPath(engagementId, id), body });
        } catch (error) {
          const delay = attempt <= retries ? retryDelay(error, attempt, backoff) : undefined;
          if (delay === undefined) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
        }
      }
    },

    getCustomCommand(engagementId, id) {
      return http.send({ method: 'GET', path: commandPath(engagementId, id) });
    },

    async setMeta(engagementId, change) {
      check('setMeta', engagementId);
      if (!isJsonObject(change)) {
        throw new InvalidArgumentError('change', `setMeta: change must be { meta?, properties? }, got ${describe(change)}`);
      }
      return http.send({ method: 'POST', path: engagementPath(engagementId, '/meta'), body: change });
    },

    async typing(engagementId, action, preview) {
      check('typing', engagementId);
      if (action !== 'start' && action !== 'stop') {
        throw new InvalidArgumentError('action', `typing: action must be 'start' or 'stop', got ${describe(action)}`);
      }
      if (preview !== undefined && typeof preview !== 'string') {
        throw new InvalidArgumentError('preview', `typing: preview must be a string when given, got ${describe(preview)}`);
      }
      const params = preview && action === 'start' ? { preview } : {};
      await http.send({ method: 'POST', path: engagementPath(engagementId, '/typing'), body: { action: `typing.${action}`, params } });
    },

    async getTyping(engagementId) {
      check('getTyping', engagementId);
      return http.send({ method: 'GET', path: engagementPath(engagementId, '/typing') });
    },
  };
}
