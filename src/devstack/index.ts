export { stackUp, stackDown, stackStatus, readStackLog } from './stack';
export type { StackStatus, ComponentStatus, UpOptions, UpResult } from './stack';
export { newClusterId, stackBrokers, startBroker, stopBroker } from './kafkaBrokers';
export type { StackBroker } from './kafkaBrokers';
export {
  BROKER_COUNTS,
  clientSettings,
  kafkaNodes,
  nodeFiles,
  parseBrokerCount,
  kafkaFormatted,
  parseClusterRecord,
  readClusterRecord,
  renderClusterRecord,
  resolveBrokerCount,
} from './kafkaCluster';
export type { ClusterRecord, KafkaNode, NodeFiles } from './kafkaCluster';
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
export type { BrokerCount, BrokerEndpoint, StackEndpoints, StackLayout } from './layout';
export { checkLocalHost, localAddresses } from './localAddresses';
export { versions as stackVersions } from './artifacts';
export { postgresStack, postgresUp, postgresDown, postgresHealthy, STACK_PG } from './postgres';
export type { PostgresStack } from './postgres';
export { managedProcess, runningPid } from './processes';
export type { ManagedProcess } from './processes';
