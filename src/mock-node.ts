/**
 * `engagekit/mock/node`: the reference server as a local server, over real
 * HTTP and a real WebSocket (Node only; needs msw and ws). `npx
 * engagekit-mock` runs it from the command line.
 */
export { startMockServer } from './mock-node/load.js';
export type { MockServer, StartMockServerOptions } from './mock-node/server.js';
export { runCommandLine, parseCommandLine, DEFAULT_PORT, type CommandLineIo } from './mock-node/cli.js';
export type { MockBackend, MockBackendOptions, MockLogger, MockPersistOptions } from './mock/create-mock-backend.js';
export type { EngagementCredentials } from './mock/store.js';
