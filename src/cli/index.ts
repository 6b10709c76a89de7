// The `capacity` command line's reusable parts (bin/capacity.js runs main.ts directly): exit codes, the
// port checks and the supervisor of `capacity start`. Importing this loads no Kafka client.
export { EXIT_CONFIG_INVALID, EXIT_FAILED, EXIT_PORT_IN_USE, exitCodeFor } from './exitCodes';
export { describeTakenPort, portInUse, startPortClaims, takenPorts } from './portCheck';
export type { PortClaim } from './portCheck';
export {
  DEFAULT_BACKOFF,
  describeExit,
  formatDuration,
  OutputTail,
  RestartBackoff,
  summarizeLogLine,
} from './restartPolicy';
export type { BackoffOptions } from './restartPolicy';
export { ensureLocalKeys } from './localKeys';
export { apiKeyFor, gatewayUrl } from './historyCommand';
export { detailsText, formatAsOf, formatHistory, table, warehouseText } from './historyFormat';
export type { LocalKey, LocalKeys } from './localKeys';
export { Supervisor } from './supervisor';
export type { SupervisorOptions } from './supervisor';
export type { ChildSpec } from './supervisedChild';
