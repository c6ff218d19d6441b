import type { MockServer, StartMockServerOptions } from './server.js';

/**
 * msw and ws are optional peer dependencies of engagekit: a site that only
 * uses the SDK installs neither. The server module is loaded when first
 * needed, so that a missing one is named, with the command that installs
 * both, instead of Node's bare "Cannot find package".
 */

export const INSTALL_HINT = 'npm install -D msw ws';

/** The error to throw for a failed load: a clear one when a peer is missing, else the original. */
export function explainLoadError(error: unknown): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const missing = typeof message === 'string' ? /Cannot find (?:package|module) '(msw|ws)(?:\/[^']*)?'/.exec(message)?.[1] : undefined;
  if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') || !missing) return error;
  return new Error(
    `The EngageKit reference server needs the packages msw and ws, and "${missing}" is not installed. ` +
      `They are optional peer dependencies of engagekit: ${INSTALL_HINT}`,
    { cause: error },
  );
}

export async function startMockServer(options?: StartMockServerOptions): Promise<MockServer> {
  let server: typeof import('./server.js');
  try {
    server = await import('./server.js');
  } catch (error) {
    throw explainLoadError(error);
  }
  return server.startServer(options);
}
