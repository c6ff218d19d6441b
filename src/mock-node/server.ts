import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockServerCore, type MockBackend, type MockBackendOptions, type MockServerCore } from '../mock/create-mock-backend.js';
import type { EngagementCredentials } from '../mock/store.js';
import { httpCarrier } from './http.js';
import { streamCarrier } from './stream.js';

/**
 * The local server: the reference server (src/mock/) over real HTTP and a
 * real WebSocket, from the same msw handlers and the same stream hub as in a
 * page. For a site under development in any browser window, for two windows
 * on one state, and for tests that need a real network (real Chromium, a
 * Node process without msw's interception).
 */

export interface StartMockServerOptions extends Omit<MockBackendOptions, 'baseUrl'> {
  /** `0` (the default of the function) takes any free port; see `url`. @default 0 */
  port?: number;
  /** Loopback only by default: the server has no authentication of its own (admin endpoints). @default '127.0.0.1' */
  host?: string;
  /** An engagement to create at start, with these fixed ids and tokens (any left out are generated). */
  engagement?: Partial<EngagementCredentials>;
  /** One line per request, e.g. `PUT /engagements/…/custom_commands/… 200 3 ms`. */
  log?: (line: string) => void;
}

export interface MockServer {
  /** `http://127.0.0.1:<port>`: the visitor's and the operator's `baseUrl`. */
  url: string;
  /** `ws://127.0.0.1:<port>`: where the command stream answers (`{wsUrl}/engagements/{id}/stream`). */
  wsUrl: string;
  /** The reference server behind it, as `createMockBackend` returns it (its `handlers` are not needed here). */
  backend: MockBackend;
  /** The engagement made at start when `engagement` was given. */
  engagement?: EngagementCredentials;
  /** Closes every socket and held poll, and stops listening. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** A host as it goes into a URL: IPv6 in brackets; the wildcard addresses as the loopback a client can reach. */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startServer(options: StartMockServerOptions = {}): Promise<MockServer> {
  const { port = 0, host = '127.0.0.1', engagement, log, ...backendOptions } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`startMockServer: port must be an integer from 0 to 65535, got ${String(port)}`);
  }
  const logger = backendOptions.logger ?? console;
  const server = createServer();
  // Keep-alive connections would hold close() for seconds.
  server.keepAliveTimeout = 5_000;
  const address = await listen(server, port, host);
  const baseUrl = `http://${urlHost(host)}:${address.port}`;
  let core: MockServerCore;
  let made: EngagementCredentials | undefined;
  try {
    // Made once the port is known: the handlers answer on the backend's baseUrl.
    core = createMockServerCore({ ...backendOptions, baseUrl });
    made = engagement ? core.backend.createEngagement(engagement) : undefined;
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
  server.on(
    'request',
    httpCarrier({
      baseUrl,
      handlers: core.httpHandlers,
      log,
      onError: (error) => logger.error('EngageKit reference server: the HTTP carrier failed; answered 500:', error),
    }),
  );
  const stream = streamCarrier({ baseUrl, accept: core.acceptStream });
  server.on('upgrade', (req, socket, head) => stream.upgrade(req, socket, head));

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    wsUrl: core.backend.realtimeUrl,
    backend: core.backend,
    ...(made && { engagement: made }),
    close() {
      closing ??= (async () => {
        core.shutdown();
        await stream.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}
