import { ConfigurationError, describe, InvalidArgumentError } from '../core/errors.js';
import { optionalFunction, requireString, resolveBaseUrl } from '../core/options.js';
import { commandPath, type CustomCommand } from '../core/protocol.js';
import { createTokenProvider, type TokenSource } from '../core/token.js';
import { isUuidV4, uuidv4 } from '../core/uuid.js';
import { createHttpTransport, type FetchLike } from '../transport/http.js';
import { retryDelay, type BackoffOptions } from '../transport/retry-policy.js';

export type { CustomCommand } from '../core/protocol.js';

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
  status: 'executed' | 'failed' | 'unhandled';
  error: string | null;
  reported_at: string;
}

export interface CommandWithResult extends CustomCommand {
  seq: number;
  /** `null` until the visitor reports what happened. */
  result: CommandResult | null;
}

export interface Operator {
  /** `PUT /engagements/{engagement_id}/custom_commands/{command_id}` (seed 000). */
  sendCustomCommand<P extends Record<string, unknown>>(input: SendCustomCommandInput<P>): Promise<CustomCommand<P>>;
  /** The command with its stream position and the visitor's result (extension). */
  getCustomCommand(engagementId: string, id: string): Promise<CommandWithResult>;
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
  const http = createHttpTransport({
    baseUrl,
    token: createTokenProvider(options.token),
    getFetch: () => fetchOption ?? globalThis.fetch,
  });

  return {
    async sendCustomCommand(input) {
      const method = 'sendCustomCommand';
      if (input === null || typeof input !== 'object') {
        throw new InvalidArgumentError('input', `${method}: expected { engagementId, properties, content?, id? }, got ${describe(input)}`);
      }
      const { engagementId, properties, content } = input;
      if (typeof engagementId !== 'string' || engagementId === '') {
        throw new InvalidArgumentError('engagementId', `${method}: engagementId must be a non-empty string, got ${describe(engagementId)}`);
      }
      if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) {
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
  };
}
