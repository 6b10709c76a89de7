export { changelogTopics, durabilityConfigs, topicNames, topicSpecs } from './topics';
export type { TopicNames, TopicSpec, CleanupPolicy } from './topics';
export { AvroSerde, createRegistry, readSchema, SCHEMA_DIR, AVRO_OPTIONS } from './avroSerde';
export type { SchemaName, RegistryOptions } from './avroSerde';
export { createSerdes, connectSerdes } from './serdes';
export type { Serdes } from './serdes';
export { COMMAND_ID_HEADER } from './records';
export type { CommandResult, TaskPosition } from './records';
export {
  commandToAvro,
  commandFromAvro,
  eventToAvro,
  eventFromAvro,
  poolToAvro,
  poolFromAvro,
  reservationToAvro,
  reservationFromAvro,
  expiredPoolToAvro,
  expiredPoolFromAvro,
  resultToAvro,
  resultFromAvro,
  taskPositionToAvro,
  taskPositionFromAvro,
} from './avroMapping';
