// Types of demo/serve.mjs, for the end-to-end tests (TypeScript).
import type { Server } from 'node:http';

/** The Content-Security-Policy of /csp.html. */
export declare const STRICT_CSP: string;

/**
 * Serves demo/public and dist on `host:port` (port 0: any free port), with
 * the local reference server behind /api and the demo's /demo/ endpoints;
 * resolves once listening. Its close() also stops the reference server.
 */
export declare function startDemoServer(options?: {
  port?: number;
  host?: string;
  /** Added to every response. */
  headers?: Record<string, string>;
  /** Start the local reference server behind /api. @default true */
  api?: boolean;
}): Promise<Server>;
