export { newClusterId, stackUp, stackDown, stackStatus, readStackLog } from './stack';
export type { StackStatus, ComponentStatus, UpOptions, UpResult } from './stack';
export { kafkaLog4j, kafkaProperties } from './kafkaProperties';
export {
  checkSaslSwitch,
  chooseStackCredentials,
  parseSaslEnv,
  readStackSasl,
  renderSaslEnv,
  saslNotes,
  scramFormatArgument,
  STACK_SASL_MECHANISM,
} from './kafkaSasl';
export type { StackSaslCredentials } from './kafkaSasl';
export { stackEndpoints, stackLayout } from './layout';
export { versions as stackVersions } from './artifacts';
export { postgresStack, postgresUp, postgresDown, postgresHealthy, STACK_PG } from './postgres';
export type { PostgresStack } from './postgres';
export { managedProcess, runningPid } from './processes';
export type { ManagedProcess } from './processes';
