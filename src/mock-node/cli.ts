import { parseArgs } from 'node:util';
import type { HttpFaultKind, MockFaults } from '../mock/faults.js';
import type { EngagementCredentials } from '../mock/store.js';
import { startMockServer } from './load.js';
import type { MockServer, StartMockServerOptions } from './server.js';

/** `npx engagekit-mock`: the local server from the command line. */

export const DEFAULT_PORT = 5174;

export const USAGE = `Usage: engagekit-mock [options]

The EngageKit reference server on this machine: the API over HTTP, the
command stream over a WebSocket, admin endpoints under /__engagekit/.
One engagement is created at start and printed (fixed ids and tokens below).

Options:
  --port <n>                 port to listen on (default ${DEFAULT_PORT}; 0: any free port)
  --host <host>              address to listen on (default 127.0.0.1; the server has no
                             authentication of its own: keep it on the loopback)
  --engagement-id <id>       the start engagement's id (default: a new UUID)
  --sub-engagement-id <id>   its sub-engagement id (default: a new UUID)
  --visitor-token <token>    its visitor token (default: generated)
  --operator-token <token>   its operator token (default: generated)
  --operator-secret <secret> require operator bodies signed with X-SMCCSDK-SIGNATURE
  --http-failure-rate <0-1>  share of HTTP requests that fail on purpose
  --http-faults <kinds>      which failures, comma-separated: 5xx,429,lost-response,network
  --retry-after <s>          Retry-After of the injected 429 and 503 (default 0)
  --latency <ms|min-max>     added latency per HTTP request
  --ws-drop-rate <0-1>       share of command frames after which the socket is dropped
  --ws-duplicate-rate <0-1>  share of command frames sent twice
  --ws-reorder-rate <0-1>    share of command frames held back and sent after the next
  --log                      print one line per request
  -h, --help                 print this and exit
`;

export interface CommandLineIo {
  out(line: string): void;
  err(line: string): void;
  /** Resolves when the process should stop (Ctrl+C, SIGTERM). */
  stopped: Promise<unknown>;
}

type Parsed = { help: true } | { help: false; options: StartMockServerOptions & { port: number; host: string }; log: boolean };

const FAULT_KINDS: readonly HttpFaultKind[] = ['5xx', '429', 'lost-response', 'network'];

/** The options of a command line, or an `Error` whose message says which one is wrong. */
export function parseCommandLine(argv: string[]): Parsed {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'engagement-id': { type: 'string' },
      'sub-engagement-id': { type: 'string' },
      'visitor-token': { type: 'string' },
      'operator-token': { type: 'string' },
      'operator-secret': { type: 'string' },
      'http-failure-rate': { type: 'string' },
      'http-faults': { type: 'string' },
      'retry-after': { type: 'string' },
      latency: { type: 'string' },
      'ws-drop-rate': { type: 'string' },
      'ws-duplicate-rate': { type: 'string' },
      'ws-reorder-rate': { type: 'string' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { help: true };
  const number = (name: keyof typeof values, min: number, max: number, integer = false): number | undefined => {
    const raw = values[name] as string | undefined;
    if (raw === undefined) return undefined;
    const value = raw.trim() === '' ? NaN : Number(raw);
    if (!(value >= min && value <= max) || (integer && !Number.isInteger(value))) {
      throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const faults: MockFaults = {};
  const rates = { 'http-failure-rate': 'httpFailureRate', 'ws-drop-rate': 'wsDropRate', 'ws-duplicate-rate': 'wsDuplicateRate', 'ws-reorder-rate': 'wsReorderRate' } as const;
  for (const [flag, key] of Object.entries(rates) as Array<[keyof typeof rates, (typeof rates)[keyof typeof rates]]>) {
    const rate = number(flag, 0, 1);
    if (rate !== undefined) faults[key] = rate;
  }
  if (values['http-faults'] !== undefined) {
    const kinds = values['http-faults'].split(',').map((kind) => kind.trim());
    const unknown = kinds.filter((kind) => !FAULT_KINDS.includes(kind as HttpFaultKind));
    if (unknown.length > 0 || kinds.length === 0) {
      throw new Error(`--http-faults must be a comma-separated list of ${FAULT_KINDS.join(', ')}, got "${values['http-faults']}"`);
    }
    faults.httpFaults = kinds as HttpFaultKind[];
  }
  const retryAfter = number('retry-after', 0, 86_400);
  if (retryAfter !== undefined) faults.retryAfter = retryAfter;
  if (values.latency !== undefined) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(values.latency.trim());
    const [min, max] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [NaN, NaN];
    if (!(min <= max)) throw new Error(`--latency must be milliseconds (250) or a range (100-500), got "${values.latency}"`);
    faults.latency = min === max ? min : [min, max];
  }
  const engagement: Partial<EngagementCredentials> = {};
  const fields = { 'engagement-id': 'engagementId', 'sub-engagement-id': 'subEngagementId', 'visitor-token': 'visitorToken', 'operator-token': 'operatorToken' } as const;
  for (const [flag, key] of Object.entries(fields) as Array<[keyof typeof fields, keyof EngagementCredentials]>) {
    const value = values[flag];
    if (value === undefined) continue;
    if (value.trim() === '') throw new Error(`--${flag} must not be empty`);
    engagement[key] = value;
  }
  const secret = values['operator-secret'];
  if (secret !== undefined && secret === '') throw new Error('--operator-secret must not be empty');
  return {
    help: false,
    options: {
      port: number('port', 0, 65535, true) ?? DEFAULT_PORT,
      host: values.host ?? '127.0.0.1',
      engagement,
      ...(secret !== undefined && { operatorSecret: secret }),
      ...(Object.keys(faults).length > 0 && { faults }),
    },
    log: values.log === true,
  };
}

/** What the server prints when it is ready: where to point the visitor, and the start engagement. */
export function banner(server: MockServer): string[] {
  const e = server.engagement!;
  return [
    `EngageKit reference server: ${server.url}`,
    `  WebSocket: ${server.wsUrl} (the command stream: ${server.wsUrl}/engagements/{engagementId}/stream)`,
    `  admin:     ${server.url}/__engagekit/ (POST engagements, POST reset, GET engagements/{id}/events, ...)`,
    '',
    'An engagement to start with:',
    `  engagementId     ${e.engagementId}`,
    `  subEngagementId  ${e.subEngagementId}`,
    `  visitorToken     ${e.visitorToken}`,
    `  operatorToken    ${e.operatorToken}`,
    '',
    `createVisitor({ baseUrl: '${server.url}', engagementId: '${e.engagementId}', token: '${e.visitorToken}' })`,
    'Ctrl+C to stop.',
  ];
}

/** Runs the command line: returns the exit code once the server has stopped (or never started). */
export async function runCommandLine(argv: string[], io: CommandLineIo): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    io.err(`engagekit-mock: ${(error as Error).message}`);
    io.err('Run engagekit-mock --help for the options.');
    return 2;
  }
  if (parsed.help) {
    io.out(USAGE);
    return 0;
  }
  const { options, log } = parsed;
  let server: MockServer;
  try {
    server = await startMockServer({ ...options, ...(log && { log: (line: string) => io.out(line) }) });
  } catch (error) {
    const { code } = (error ?? {}) as { code?: unknown };
    if (code === 'EADDRINUSE') io.err(`engagekit-mock: port ${options.port} is in use: try --port ${options.port + 1} (or --port 0 for any free port)`);
    else if (code === 'EADDRNOTAVAIL') io.err(`engagekit-mock: cannot listen on ${options.host}: no such address on this machine`);
    else io.err(`engagekit-mock: ${(error as Error)?.message ?? String(error)}`);
    return 1;
  }
  for (const line of banner(server)) io.out(line);
  await io.stopped;
  await server.close();
  return 0;
}
