// What AvroSerde.decode refuses when the registry is real: every refusal is a ContractError (not retriable)
// whose message names the subject and the problem, so a processor can dead-letter the record; a registry
// that cannot answer is a retriable error instead, so the record is retried and never dead-lettered.
import { connectSerdes, createSerdes, type Serdes, topicNames } from '../../../src/contracts';
import { ContractError, RegistryUnavailableError } from '../../../src/errors';
import { commands, taskPositions } from '../../fixtures/avro/samples';
import { testConfig } from '../../support/infra';
import { freePort } from '../../support/serviceProcess';

const config = testConfig();
const registry = { url: config.registryUrl, auth: config.registryAuth };
const topics = topicNames(config.topicPrefix);
const subject = `${topics.commands}-value`;

let serdes: Serdes;
beforeAll(async () => {
  serdes = await connectSerdes(registry, topics);
});

/** Decodes with a fresh, unregistered command serde and returns the ContractError it must throw. */
async function refusal(buffer: Buffer): Promise<ContractError> {
  const error = await createSerdes(registry, topics)
    .command.decode(buffer)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(ContractError);
  expect(error).toMatchObject({ code: 'CONTRACT_VIOLATION', retriable: false });
  return error as ContractError;
}

const withId = (id: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
};

test('a wrong magic byte (a JSON producer on the topic)', async () => {
  const json = Buffer.from(JSON.stringify(commands['close-pool']));
  expect((await refusal(json)).message).toBe(
    `not a Confluent Avro payload for ${subject}: magic byte is 123, expected 0`,
  );
  const valid = serdes.command.encode(commands['close-pool']);
  const wrongMagic = Buffer.from(valid);
  wrongMagic.writeUInt8(1, 0);
  expect((await refusal(wrongMagic)).message).toMatch(/magic byte is 1, expected 0/);
});

test('too short for the 5-byte header, including empty', async () => {
  expect((await refusal(Buffer.alloc(0))).message).toBe(
    `not a Confluent Avro payload for ${subject}: 0 bytes`,
  );
  expect((await refusal(Buffer.from([0, 0, 0, 1]))).message).toBe(
    `not a Confluent Avro payload for ${subject}: 4 bytes`,
  );
});

test('an unknown schema id', async () => {
  const unknownId = 2_147_483_647;
  const error = await refusal(withId(unknownId, Buffer.from([2, 0x61])));
  expect(error.message).toBe(`unknown schema id ${unknownId} in a ${subject} payload`);
  expect((error.cause as { status?: number }).status).toBe(404);
});

test('a truncated body under our own schema id', async () => {
  const valid = serdes.command.encode(commands['define-pool']);
  expect((await refusal(valid.subarray(0, valid.length - 4))).message).toBe(
    `payload for ${subject} does not match writer schema ${serdes.command.id}: truncated buffer`,
  );
});

test("another subject's schema id (a task position on the commands topic)", async () => {
  const misplaced = serdes.taskPosition.encode(taskPositions.initial);
  expect((await refusal(misplaced)).message).toMatch(
    new RegExp(
      `^writer schema ${serdes.taskPosition.id} cannot be read as ${subject.replace(/\./g, '\\.')}'s schema`,
    ),
  );
});

test('an unreachable registry is a retriable RegistryUnavailableError, never a refusal', async () => {
  // A valid record under our real schema id, read by a serde whose registry URL has nothing listening.
  const valid = serdes.command.encode(commands['close-pool']);
  const port = await freePort();
  const cut = createSerdes({ url: `http://127.0.0.1:${port}/apis/ccompat/v7` }, topics).command;
  const error = await cut.decode(valid).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryUnavailableError);
  expect(error).not.toBeInstanceOf(ContractError);
  expect(error).toMatchObject({
    code: 'REGISTRY_UNAVAILABLE',
    retriable: true,
    context: { subject, schemaId: serdes.command.id },
  });
});
