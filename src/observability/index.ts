export { createLogger, componentLogger } from './logger';
export type { Logger } from './logger';
export { startHealthServer } from './healthServer';
export type { HealthReport, HealthServer } from './healthServer';
