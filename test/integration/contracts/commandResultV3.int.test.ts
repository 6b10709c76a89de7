// command-result v3 (reservation units and status) against the real registry: accepted after the
// committed v2 (the fixtures' writer.avsc) under BACKWARD_TRANSITIVE, and data flows both ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import { createRegistry, createSerdes, resultToAvro, topicNames } from '../../../src/contracts';
import { commandResults } from '../../fixtures/avro/samples';
import { testConfig, uniqueName } from '../../support/infra';

const config = testConfig();
const registryOptions = { url: config.registryUrl, auth: config.registryAuth };
const v2 = readFileSync(join(__dirname, '../../fixtures/avro/command-result/writer.avsc'), 'utf8');

test('v3 registers after v2; v2 results read with null units, v3 results keep them', async () => {
  const topics = topicNames(uniqueName('res3'));
  const subject = `${topics.commandResults}-value`;
  const registry = createRegistry(registryOptions);
  const { id: v2Id } = await registry.register(
    { type: SchemaType.AVRO, schema: v2 },
    { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
  );
  const serde = createSerdes(registryOptions, topics).result;
  const v3Id = await serde.register();
  expect(v3Id).not.toBe(v2Id);

  const old = commandResults['accepted-reserve'];
  const v2Bytes = await registry.encode(v2Id, resultToAvro(old));
  await expect(serde.decode(v2Bytes)).resolves.toStrictEqual({
    ...old,
    units: null,
    reservationStatus: null,
  });

  const replay = { ...old, units: 3, reservationStatus: 'released' as const };
  await expect(serde.decode(serde.encode(replay))).resolves.toStrictEqual(replay);
});
