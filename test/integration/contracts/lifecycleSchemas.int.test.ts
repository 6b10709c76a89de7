// ADR 12's schemas against the real registry: each registers after the committed first version (the
// fixtures' writer.avsc) under BACKWARD_TRANSITIVE, and data written with the first version reads through
// the new serde with the meaning ADR 12 gives it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaType } from '@kafkajs/confluent-schema-registry';
import {
  commandToAvro,
  createRegistry,
  createSerdes,
  eventToAvro,
  poolToAvro,
  topicNames,
  type Serdes,
} from '../../../src/contracts';
import {
  commands,
  events,
  expiredPools,
  lifecycleCommands,
  lifecycleEvents,
  lifecyclePoolStates,
  poolStates,
  SLOT_START,
} from '../../fixtures/avro/samples';
import { testConfig, uniqueName } from '../../support/infra';

const config = testConfig();
const registryOptions = { url: config.registryUrl, auth: config.registryAuth };
const firstVersion = (schema: string) =>
  readFileSync(join(__dirname, '../../fixtures/avro', schema, 'writer.avsc'), 'utf8');

/** Registers the first version of `schema` under the serde's subject, then the serde's own (current) one. */
async function evolved<K extends keyof Serdes>(schema: string, serde: K) {
  const topics = topicNames(uniqueName('adr12'));
  const current: Serdes[K] = createSerdes(registryOptions, topics)[serde];
  const registry = createRegistry(registryOptions);
  const { id: firstId } = await registry.register(
    { type: SchemaType.AVRO, schema: firstVersion(schema) },
    { subject: current.subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
  );
  const currentId = await current.register();
  expect(currentId).not.toBe(firstId);
  return { registry, firstId, current };
}

test('event: PoolDefined.bookableUntil and PoolExpired register; an old PoolDefined reads with null', async () => {
  const { registry, firstId, current } = await evolved('event', 'event');
  const old = events['pool-defined'];
  const bytes = await registry.encode(firstId, eventToAvro(old));
  await expect(current.decode(bytes)).resolves.toStrictEqual(old); // old carries bookableUntil: null
  for (const value of Object.values(lifecycleEvents)) {
    await expect(current.decode(current.encode(value))).resolves.toStrictEqual(value);
  }
});

test('pool-state: bookableUntil and EXPIRED register; an old record reads with bookableUntil = slotStart', async () => {
  const { registry, firstId, current } = await evolved('pool-state', 'poolState');
  const bytes = await registry.encode(firstId, poolToAvro(poolStates.open));
  await expect(current.decode(bytes)).resolves.toMatchObject({ bookableUntil: SLOT_START, status: 'open' });
  for (const value of Object.values(lifecyclePoolStates)) {
    await expect(current.decode(current.encode(value))).resolves.toStrictEqual(value);
  }
});

test('command: DefinePool.bookableUntil registers; an old DefinePool reads without it', async () => {
  const { registry, firstId, current } = await evolved('command', 'command');
  const bytes = await registry.encode(firstId, commandToAvro(commands['define-pool']));
  const decoded = await current.decode(bytes);
  expect(decoded).toStrictEqual(commands['define-pool']);
  for (const value of Object.values(lifecycleCommands)) {
    await expect(current.decode(current.encode(value))).resolves.toStrictEqual(value);
  }
});

test('expired-pool markers register under <prefix>.expired-pools-value and round-trip', async () => {
  const topics = topicNames(uniqueName('adr12'));
  const serde = createSerdes(registryOptions, topics).expiredPool;
  expect(serde.subject).toBe(`${topics.expiredPools}-value`);
  await serde.register();
  for (const value of Object.values(expiredPools)) {
    await expect(serde.decode(serde.encode(value))).resolves.toStrictEqual(value);
  }
});
