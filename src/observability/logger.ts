import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The root logger: JSON lines on stderr (stdout stays free for command output such as `capacity tail`).
 * Components log through `logger.child({ component })`, one namespace each.
 */
export function createLogger(level: string, name = 'capacity'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ fd: 2, sync: false }));
}

export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}
