import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createMockBackend, type MockBackend, type MockBackendOptions } from '../../src/mock.js';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface TestServer {
  backend: MockBackend;
  server: SetupServer;
  /** Every request that reached the reference server, in order (observed, not mocked). */
  requests: RecordedRequest[];
}

/**
 * Starts the reference server for the test file: a fresh backend, MSW in
 * front of the real `fetch`, unhandled requests are errors.
 */
export function useReferenceServer(options?: MockBackendOptions): TestServer {
  const backend = createMockBackend(options);
  const server = setupServer(...backend.handlers);
  const requests: RecordedRequest[] = [];
  server.events.on('request:start', ({ request }) => {
    const copy = request.clone();
    const entry: RecordedRequest = {
      method: request.method,
      url: request.url,
      // Lower-cased: happy-dom's Headers keep the case they were set with.
      headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
      body: '',
    };
    requests.push(entry);
    void copy.text().then((text) => (entry.body = text));
  });
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
    backend.reset();
  });
  afterAll(() => server.close());
  return { backend, server, requests };
}
