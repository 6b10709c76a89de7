// Committed Avro fixtures: payloads written once by this test (CAPACITY_WRITE_FIXTURES=1) and read back on
// every run since. Each fixture folder (`Contract.fixtures` in samples.ts: test/fixtures/avro/<schema>/
// for the first payloads, adr12/<schema>/ for the shapes ADR 12 added, ...) holds the schema the payloads
// were written with (writer.avsc), and per variant the raw Avro binary (<variant>.avro.bin, no wire header:
// schema ids differ per registry) next to the domain value it must decode to (<variant>.json). Reading old
// bytes through the current schema, the way AvroSerde resolves a writer schema, is what keeps a schema
// change honest, so the writer mode only writes folders that do not exist yet: committed ones stay as
// they were written.
//
//   CAPACITY_WRITE_FIXTURES=1 npx jest test/unit/contracts/fixtures --selectProjects unit
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import {
  AVRO_OPTIONS,
  AvroSerde,
  SCHEMA_DIR,
  commandFromAvro,
  commandToAvro,
  readSchema,
} from '../../../src/contracts';
import type { CommandEnvelope } from '../../../src/domain';
import { ContractError } from '../../../src/errors';
import { CONTRACTS, type Contract, commands } from '../../fixtures/avro/samples';
import { FakeRegistry } from './fakeRegistry';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'avro');
const INVALID = join(ROOT, 'invalid');
const WRITE = process.env.CAPACITY_WRITE_FIXTURES === '1';
const parse = (schema: unknown): avro.Type => avro.Type.forSchema(schema as avro.Schema, { ...AVRO_OPTIONS });
const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

/** The schema id the invalid payloads carry: the command serde below registers as id 1. */
const INVALID_PAYLOAD_SCHEMA_ID = 1;
const wire = (id: number, payload: Buffer): Buffer => {
  const header = Buffer.alloc(5);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
};

/** Writes a fixture folder that does not exist yet, with the current schema; committed folders are kept. */
function writeMissingFixtures(c: Contract<unknown>, folder: string, samples: Record<string, unknown>): void {
  const dir = join(ROOT, folder);
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'writer.avsc'), readFileSync(join(SCHEMA_DIR, `${c.schema}.avsc`)));
  const writer = parse(readSchema(c.schema));
  for (const [variant, value] of Object.entries(samples)) {
    writeFileSync(join(dir, `${variant}.avro.bin`), writer.toBuffer(c.toAvro(value)));
    writeFileSync(join(dir, `${variant}.json`), `${JSON.stringify(value, null, 2)}\n`);
  }
}

function invalidPayloads(): Record<string, Buffer> {
  const type = parse(readSchema('command'));
  const definePool = type.toBuffer(commandToAvro(commands['define-pool']));
  const closePool = type.toBuffer(commandToAvro(commands['close-pool']));
  return {
    'empty.bin': Buffer.alloc(0),
    'too-short.bin': Buffer.from([0, 0, 0]),
    'wrong-magic.bin': Buffer.from(JSON.stringify({ commandId: 'cmd-1', command: { type: 'ClosePool' } })),
    'header-only.bin': wire(INVALID_PAYLOAD_SCHEMA_ID, Buffer.alloc(0)),
    'truncated.bin': wire(INVALID_PAYLOAD_SCHEMA_ID, definePool.subarray(0, definePool.length - 3)),
    'trailing-bytes.bin': wire(
      INVALID_PAYLOAD_SCHEMA_ID,
      Buffer.concat([closePool, Buffer.from([0xff, 0x01])]),
    ),
    'unknown-schema-id.bin': wire(999_999, closePool),
  };
}

if (WRITE) {
  beforeAll(() => {
    for (const c of CONTRACTS) {
      for (const [folder, samples] of Object.entries(c.fixtures)) writeMissingFixtures(c, folder, samples);
    }
    for (const [file, bytes] of Object.entries(invalidPayloads())) {
      if (!existsSync(join(INVALID, file))) writeFileSync(join(INVALID, file), bytes);
    }
  });
}

const FOLDERS = CONTRACTS.flatMap((c) =>
  Object.entries(c.fixtures).map(([folder, samples]) => [folder, c, samples] as const),
);

test('every schema has fixtures, and every fixture folder belongs to a contract', () => {
  const schemas = new Set(FOLDERS.map(([, c]) => c.schema));
  expect([...schemas].sort()).toEqual(CONTRACTS.map((c) => c.schema).sort());
  const folders = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'invalid')
      .flatMap((entry) => {
        const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
        return existsSync(join(ROOT, path, 'writer.avsc')) ? [path] : folders(path);
      });
  expect(folders('').sort()).toEqual(FOLDERS.map(([folder]) => folder).sort());
});

describe.each(FOLDERS)('fixtures in %s', (folder, c, samples) => {
  const dir = join(ROOT, folder);
  const schema = c.schema;

  test('are committed: writer.avsc and a .avro.bin + .json pair per sample variant, nothing else', () => {
    expect(existsSync(dir)).toBe(true);
    const expected = ['writer.avsc', ...Object.keys(samples).flatMap((v) => [`${v}.avro.bin`, `${v}.json`])];
    expect(readdirSync(dir).sort()).toEqual(expected.sort());
  });

  test('hold the samples’ values', () => {
    for (const [variant, value] of Object.entries(samples)) {
      expect(readJson(join(dir, `${variant}.json`))).toEqual(value);
    }
  });

  test.each(Object.keys(samples))(
    '%s decodes through the current schema to the committed value',
    (variant) => {
      const writer = parse(readJson(join(dir, 'writer.avsc')));
      const reader = parse(readSchema(schema));
      const bytes = readFileSync(join(dir, `${variant}.avro.bin`));
      const expected = readJson(join(dir, `${variant}.json`));
      // The same resolution AvroSerde applies to a writer schema fetched from the registry.
      const record = writer.equals(reader)
        ? reader.fromBuffer(bytes)
        : reader.fromBuffer(bytes, reader.createResolver(writer));
      expect(c.fromAvro(record as Record<string, unknown>)).toStrictEqual(expected);
      // And the mapping still writes that value to exactly these bytes under the fixture's schema.
      expect(writer.toBuffer(c.toAvro(expected)).equals(bytes)).toBe(true);
    },
  );
});

describe('invalid schemas are refused by avsc with a message naming the problem', () => {
  const expectations: Record<string, RegExp> = {
    'missing-type.avsc': /^unknown type: undefined$/,
    'unknown-type-name.avsc': /^undefined type name: com\.grocer\.capacity\.task\.Timestamp$/,
    'enum-duplicate-symbols.avsc': /^duplicate "com\.grocer\.capacity\.state\.PoolStatus" symbol: "OPEN"$/,
    'field-without-name.avsc': /^invalid field name: undefined$/,
    'duplicate-field-name.avsc': /^duplicate field name: /,
    'union-default-not-first-branch.avsc':
      /incompatible field default null .*union defaults must match the first branch/,
    'nested-union.avsc': /^unions cannot be directly nested$/,
  };

  test('every invalid schema fixture has an expectation', () => {
    const files = readdirSync(INVALID).filter((file) => file.endsWith('.avsc'));
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  test.each(Object.entries(expectations))('%s', (file, message) => {
    const schema = readJson(join(INVALID, file));
    expect(() => parse(schema)).toThrow(message);
  });
});

describe('invalid payloads are refused by AvroSerde.decode with a ContractError naming the problem', () => {
  const expectations: Record<string, string | RegExp> = {
    'empty.bin': 'not a Confluent Avro payload for t.commands-value: 0 bytes',
    'too-short.bin': 'not a Confluent Avro payload for t.commands-value: 3 bytes',
    'wrong-magic.bin': 'not a Confluent Avro payload for t.commands-value: magic byte is 123, expected 0',
    'header-only.bin': 'payload for t.commands-value does not match writer schema 1: truncated buffer',
    'truncated.bin': 'payload for t.commands-value does not match writer schema 1: truncated buffer',
    'trailing-bytes.bin': /^payload for t\.commands-value does not match writer schema 1: trailing data/,
    'unknown-schema-id.bin': 'unknown schema id 999999 in a t.commands-value payload',
  };
  let serde: AvroSerde<CommandEnvelope>;

  beforeAll(async () => {
    const registry = new FakeRegistry(INVALID_PAYLOAD_SCHEMA_ID);
    serde = new AvroSerde(
      registry.asClient(),
      't.commands-value',
      readSchema('command'),
      commandToAvro,
      commandFromAvro,
    );
    await expect(serde.register()).resolves.toBe(INVALID_PAYLOAD_SCHEMA_ID);
  });

  test('every invalid payload fixture has an expectation', () => {
    const files = readdirSync(INVALID).filter((file) => file.endsWith('.bin'));
    expect(files.sort()).toEqual(Object.keys(expectations).sort());
  });

  test.each(Object.entries(expectations))('%s', async (file, message) => {
    const error = await serde.decode(readFileSync(join(INVALID, file))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
  });
});
