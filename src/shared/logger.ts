export type LogLevel = 'debug' | 'warn' | 'error' | 'silent';

/** The part of `console` the SDK writes to; inject your own to route it elsewhere. */
export interface Logger {
  debug(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, warn: 1, error: 2, silent: 3 };

/** Prefixes every line with `[EngageKit]` and drops lines below `level`. */
export function createLogger(level: LogLevel, sink: Logger | undefined): Logger {
  const at = (wanted: Exclude<LogLevel, 'silent'>) =>
    RANK[wanted] < RANK[level]
      ? () => {}
      : (...args: unknown[]) => {
          // Read at call time: tests and hosts may replace console methods.
          const target = sink ?? (globalThis.console as Logger | undefined);
          target?.[wanted]('[EngageKit]', ...args);
        };
  return { debug: at('debug'), warn: at('warn'), error: at('error') };
}
