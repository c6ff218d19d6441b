import { delay, getResponse, http, HttpResponse, type RequestHandler } from 'msw';
import { errorResponse } from './respond.js';

export type HttpFaultKind = '5xx' | '429' | 'lost-response' | 'network';

/** Failures the reference server injects, to prove the SDK loses and doubles nothing. */
export interface MockFaults {
  /**
   * Share of HTTP requests, 0 to 1, that fail with one of `httpFaults`, picked at random.
   * @default 0
   */
  httpFailureRate?: number;
  /**
   * `'5xx'`: 503 or 500, nothing stored. `'429'`: Too Many Requests with
   * `Retry-After`. `'lost-response'`: the request is fully handled (an event
   * is stored) and then the connection fails, so the client cannot know.
   * `'network'`: the connection fails before anything happens.
   * @default all four
   */
  httpFaults?: HttpFaultKind[];
  /**
   * Seconds in the `Retry-After` of injected 429 and 503 answers.
   * @default 0
   */
  retryAfter?: number;
  /**
   * Added latency per HTTP request in ms: a fixed value or a `[min, max]` range.
   * @default 0
   */
  latency?: number | [number, number];
  /** Share of command frames after which the socket is dropped (close 4000). @default 0 */
  wsDropRate?: number;
  /** Share of command frames sent twice. @default 0 */
  wsDuplicateRate?: number;
  /** Share of command frames held back and sent after the next one. @default 0 */
  wsReorderRate?: number;
  /**
   * The random source, for reproducible runs (e.g. a seeded PRNG).
   * @default Math.random
   */
  random?: () => number;
}

export interface FaultCounts {
  http: Record<HttpFaultKind, number>;
  wsDrops: number;
  wsDuplicates: number;
  wsReorders: number;
}

export interface FaultInjector {
  /** Checks and replaces the settings; throws an `Error` naming the bad one. */
  set(faults: MockFaults): void;
  /** The settings in force, without `random` (it is a function). */
  current(): Omit<MockFaults, 'random'>;
  readonly counts: FaultCounts;
  chance(rate: keyof Pick<MockFaults, 'wsDropRate' | 'wsDuplicateRate' | 'wsReorderRate'>): boolean;
  /** One handler, put before the real ones: fails a request, or lets it through. */
  handler(baseUrl: string, real: () => RequestHandler[]): RequestHandler;
}

const ALL: HttpFaultKind[] = ['5xx', '429', 'lost-response', 'network'];

export function createFaults(initial: MockFaults = {}): FaultInjector {
  let faults: MockFaults = {};
  const counts: FaultCounts = {
    http: { '5xx': 0, '429': 0, 'lost-response': 0, network: 0 },
    wsDrops: 0,
    wsDuplicates: 0,
    wsReorders: 0,
  };
  const random = () => (faults.random ?? Math.random)();
  const rate = (name: string, value: number | undefined) => {
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      throw new Error(`createMockBackend: faults.${name} must be a number from 0 to 1, got ${String(value)}`);
    }
  };
  const bad = (name: string, must: string, value: unknown) => {
    throw new Error(`createMockBackend: faults.${name} must be ${must}, got ${JSON.stringify(value) ?? typeof value}`);
  };
  const set = (next: MockFaults) => {
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      throw new Error(`createMockBackend: faults must be an object, got ${next === null ? 'null' : Array.isArray(next) ? 'an array' : typeof next}`);
    }
    rate('httpFailureRate', next.httpFailureRate);
    rate('wsDropRate', next.wsDropRate);
    rate('wsDuplicateRate', next.wsDuplicateRate);
    rate('wsReorderRate', next.wsReorderRate);
    const { httpFaults, retryAfter, latency, random: pick } = next;
    if (httpFaults !== undefined && !(Array.isArray(httpFaults) && httpFaults.every((kind) => ALL.includes(kind)))) {
      bad('httpFaults', `a list of ${ALL.map((kind) => `'${kind}'`).join(', ')}`, httpFaults);
    }
    if (retryAfter !== undefined && !(typeof retryAfter === 'number' && retryAfter >= 0 && Number.isFinite(retryAfter))) {
      bad('retryAfter', 'a number of seconds ≥ 0', retryAfter);
    }
    const ms = (value: unknown) => typeof value === 'number' && value >= 0 && Number.isFinite(value);
    if (latency !== undefined && !(ms(latency) || (Array.isArray(latency) && latency.length === 2 && latency.every(ms) && latency[0]! <= latency[1]!))) {
      bad('latency', 'ms ≥ 0, or [min, max]', latency);
    }
    if (pick !== undefined && typeof pick !== 'function') bad('random', 'a function', pick);
    faults = { ...next };
  };
  set(initial);

  return {
    set,
    current() {
      const { random: _random, ...settings } = faults;
      return settings;
    },
    counts,
    chance(name) {
      const p = faults[name] ?? 0;
      return p > 0 && random() < p;
    },
    handler(baseUrl, real) {
      return http.all(`${baseUrl}/*`, async ({ request }) => {
        const { latency } = faults;
        if (latency) {
          const [min, max] = typeof latency === 'number' ? [latency, latency] : latency;
          await delay(min + (max - min) * random());
        }
        const p = faults.httpFailureRate ?? 0;
        if (!(p > 0 && random() < p)) return undefined; // on to the real handlers
        const kinds = faults.httpFaults?.length ? faults.httpFaults : ALL;
        const kind = kinds[Math.floor(random() * kinds.length)]!;
        counts.http[kind]++;
        const retryAfter = { 'Retry-After': String(faults.retryAfter ?? 0) };
        switch (kind) {
          case 'network':
            return HttpResponse.error();
          case '5xx':
            return random() < 0.5
              ? errorResponse(503, { message: 'Service unavailable', debug_message: 'Injected fault' }, retryAfter)
              : errorResponse(500, { message: 'Internal server error', debug_message: 'Injected fault' });
          case '429':
            return errorResponse(429, { message: 'Too many requests', debug_message: 'Injected fault' }, retryAfter);
          case 'lost-response':
            // The write happens; only the answer is lost on the way back.
            await getResponse(real(), request);
            return HttpResponse.error();
        }
      });
    },
  };
}
