export { Connector } from './connector';
export type { ConnectorOptions } from './connector';
export { loadConnectorConfig, describeTarget, readSetting } from './connectorConfig';
export type { ConnectorConfig, WarehouseTarget } from './connectorConfig';
export {
  Warehouse,
  OffsetConflictError,
  RowsAlreadyStoredError,
  isUniqueViolation,
  sqlTimestamp,
} from './warehouse';
export type { PositionUpdate } from './warehouse';
export {
  RecordDecoder,
  eventRow,
  poolStateRow,
  tombstoneRow,
  undecodableRow,
  KNOWN_EVENT_TYPES,
} from './recordDecoder';
export type { WarehouseRow, DecodedValue, Cell } from './recordDecoder';
export { baseColumns, columnNameOf } from './tables';
export type { TableName, SqlType, Column } from './tables';
export { poolVersionsViewSql, indexSql } from './views';
export { historyRoute, parseAsOf, poolHistoryRoute } from './historyEndpoint';
export {
  DEFAULT_HISTORY_EVENTS,
  HISTORY_INDEXES,
  MAX_HISTORY_EVENTS,
  PoolHistoryQuery,
  PoolNotInWarehouseError,
} from './historyQuery';
export type { HistoryAnswer, HistorySourceDeps, PoolAsOfAnswer, WarehouseProgress } from './historyQuery';
export { envelopeOf, foldAsOf, historyEventOf, poolAsOfView } from './historyRows';
export type { DetailValue, FoldedState, HistoryEvent, SkippedEvent } from './historyRows';
