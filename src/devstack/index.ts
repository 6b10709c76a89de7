export { stackUp, stackDown, stackStatus, readStackLog } from './stack';
export type { StackStatus, ComponentStatus, UpResult } from './stack';
export { versions as stackVersions } from './artifacts';
export { postgresStack, postgresUp, postgresDown, postgresHealthy, STACK_PG } from './postgres';
export type { PostgresStack } from './postgres';
export { managedProcess, runningPid } from './processes';
export type { ManagedProcess } from './processes';
