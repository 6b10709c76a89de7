export { createLogger, componentLogger } from './logger';
export type { Logger } from './logger';
export { startHealthServer } from './healthServer';
export type { ExtraRoute, HealthReport, HealthServer } from './healthServer';
