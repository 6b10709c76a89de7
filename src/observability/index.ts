export { createLogger, componentLogger } from './logger';
export type { Logger } from './logger';
