export { Processor } from './processor';
export type { ProcessorOptions } from './processor';
export { handleCommand } from './commandHandler';
export type { HandledCommand, HandlerContext, RawCommand } from './commandHandler';
// The cycle, for drivers and tests that run it without a broker.
export { runCycle, runPunctuation } from './commitCycle';
export type { CycleDeps, CycleReport } from './commitCycle';
export type { PartitionTask, TaskOutput } from './partitionTask';
export { ProcessorMetrics } from './processorMetrics';
export { lostOwners, rememberOwners, standbyPartitions } from './standbyPlacement';
export type { MemberOwnership } from './standbyPlacement';
export { expireDue } from './taskExpiry';
export { RecentCommands } from './recentCommands';
export type { ExpiryOutcome } from './taskExpiry';
