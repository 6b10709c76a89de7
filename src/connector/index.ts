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
