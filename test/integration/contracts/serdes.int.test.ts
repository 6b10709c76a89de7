// The serdes against the real registry (Apicurio's Confluent-compatible API): what connectSerdes registers,
// and every variant of every contract through encode -> decode, decoded by a fresh set of serdes that has
// to fetch the writer schema by id.
import {
  type AvroSerde,
  connectSerdes,
  createSerdes,
  readSchema,
  type SchemaName,
  type Serdes,
  topicNames,
} from '../../../src/contracts';
import { CONTRACTS } from '../../fixtures/avro/samples';
import { testConfig } from '../../support/infra';

const config = testConfig();
const registry = { url: config.registryUrl, auth: config.registryAuth };
const topics = topicNames(config.topicPrefix);
const serdeOf = (all: Serdes, key: keyof Serdes): AvroSerde<unknown> => all[key] as AvroSerde<unknown>;

/** Which serde carries which schema, and the subject it must register under. */
const SERDES: readonly { schema: SchemaName; serde: keyof Serdes; subject: string }[] = [
  { schema: 'command', serde: 'command', subject: `${topics.commands}-value` },
  { schema: 'event', serde: 'event', subject: `${topics.events}-value` },
  { schema: 'pool-state', serde: 'poolState', subject: `${topics.poolState}-value` },
  { schema: 'reservation', serde: 'reservation', subject: `${topics.reservations}-value` },
  { schema: 'expired-pool', serde: 'expiredPool', subject: `${topics.expiredPools}-value` },
  { schema: 'command-result', serde: 'result', subject: `${topics.commandResults}-value` },
  { schema: 'task-position', serde: 'taskPosition', subject: `${topics.taskPositions}-value` },
];

async function registryGet<T>(path: string): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/vnd.schemaregistry.v1+json, application/json',
  };
  if (config.registryAuth) {
    const { username, password } = config.registryAuth;
    headers.Authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const response = await fetch(`${config.registryUrl}${path}`, { headers });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

let serdes: Serdes;
beforeAll(async () => {
  serdes = await connectSerdes(registry, topics);
});

test('connectSerdes registers all seven subjects, <topic>-value, BACKWARD_TRANSITIVE, the schema files as written', async () => {
  // Each subject is read by name (a 404 fails the test): the registry's subject listing is paged, and a
  // long-lived local registry holds more subjects than one page.
  for (const { schema, serde, subject } of SERDES) {
    expect(serdes[serde].subject).toBe(subject);
    const latest = await registryGet<{ id: number; schema: string }>(
      `/subjects/${encodeURIComponent(subject)}/versions/latest`,
    );
    expect(latest.id).toBe(serdes[serde].id);
    expect(JSON.parse(latest.schema)).toEqual(readSchema(schema));
    const { compatibilityLevel } = await registryGet<{ compatibilityLevel: string }>(
      `/config/${encodeURIComponent(subject)}`,
    );
    expect(compatibilityLevel).toBe('BACKWARD_TRANSITIVE');
  }
  expect(new Set(SERDES.map(({ serde }) => serdes[serde].id)).size).toBe(7);
});

test('connecting again is idempotent: the registry returns the same ids', async () => {
  const again = await connectSerdes(registry, topics);
  for (const { serde } of SERDES) expect(again[serde].id).toBe(serdes[serde].id);
});

describe.each(SERDES.map((s) => [s.schema, s] as const))('%s', (schema, { serde }) => {
  const c = CONTRACTS.find((candidate) => candidate.schema === schema);

  test.each(Object.entries(c?.samples ?? {}))(
    '%s: encode -> decode by a fresh serde',
    async (_variant, value) => {
      const encoded = serdeOf(serdes, serde).encode(value);
      expect(encoded.readUInt8(0)).toBe(0);
      expect(encoded.readInt32BE(1)).toBe(serdes[serde].id);
      // Not registered: this instance knows no ids and must fetch the writer schema from the registry.
      const reader = serdeOf(createSerdes(registry, topics), serde);
      await expect(reader.decode(encoded)).resolves.toStrictEqual(value);
    },
  );
});
