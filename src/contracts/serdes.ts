import type { CommandEnvelope, EventEnvelope, ExpiredPool, Pool, Reservation } from '../domain';
import * as mapping from './avroMapping';
import { AvroSerde, createRegistry, readSchema, type RegistryOptions } from './avroSerde';
import type { CommandResult, TaskPosition } from './records';
import type { TopicNames } from './topics';

/** One serde per topic value; subjects follow the topic-name strategy (`<topic>-value`). */
export interface Serdes {
  readonly command: AvroSerde<CommandEnvelope>;
  readonly event: AvroSerde<EventEnvelope>;
  readonly poolState: AvroSerde<Pool>;
  readonly reservation: AvroSerde<Reservation>;
  /** Markers of expired pools (ADR 12), in `<prefix>.expired-pools`. */
  readonly expiredPool: AvroSerde<ExpiredPool>;
  readonly result: AvroSerde<CommandResult>;
  readonly taskPosition: AvroSerde<TaskPosition>;
}

export function createSerdes(registryOptions: RegistryOptions, topics: TopicNames): Serdes {
  const registry = createRegistry(registryOptions);
  const subject = (topic: string) => `${topic}-value`;
  return {
    command: new AvroSerde(
      registry,
      subject(topics.commands),
      readSchema('command'),
      mapping.commandToAvro,
      mapping.commandFromAvro,
    ),
    event: new AvroSerde(
      registry,
      subject(topics.events),
      readSchema('event'),
      mapping.eventToAvro,
      mapping.eventFromAvro,
    ),
    poolState: new AvroSerde(
      registry,
      subject(topics.poolState),
      readSchema('pool-state'),
      mapping.poolToAvro,
      mapping.poolFromAvro,
    ),
    reservation: new AvroSerde(
      registry,
      subject(topics.reservations),
      readSchema('reservation'),
      mapping.reservationToAvro,
      mapping.reservationFromAvro,
    ),
    expiredPool: new AvroSerde(
      registry,
      subject(topics.expiredPools),
      readSchema('expired-pool'),
      mapping.expiredPoolToAvro,
      mapping.expiredPoolFromAvro,
    ),
    result: new AvroSerde(
      registry,
      subject(topics.commandResults),
      readSchema('command-result'),
      mapping.resultToAvro,
      mapping.resultFromAvro,
    ),
    taskPosition: new AvroSerde(
      registry,
      subject(topics.taskPositions),
      readSchema('task-position'),
      mapping.taskPositionToAvro,
      mapping.taskPositionFromAvro,
    ),
  };
}

/** Creates the serdes and registers every schema (idempotent: the registry returns existing ids). */
export async function connectSerdes(registryOptions: RegistryOptions, topics: TopicNames): Promise<Serdes> {
  const serdes = createSerdes(registryOptions, topics);
  await Promise.all(Object.values(serdes).map((serde: AvroSerde<unknown>) => serde.register()));
  return serdes;
}
