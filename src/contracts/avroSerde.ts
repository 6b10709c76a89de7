// Avro in the Confluent wire format (magic byte 0, 4-byte schema id, Avro binary), against a schema
// registry. Encoding uses our schema, registered under `<topic>-value`. Decoding reads the writer's schema
// by id and resolves it into our (reader) schema, so data written with an older or newer compatible
// schema reads as the shape our mapping expects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { ContractError, describeError, RegistryUnavailableError, UnavailableError } from '../errors';

// Frozen, and always copied before use: avsc's Type.forSchema keeps its registry of named types in the
// options object it is given, so a shared object makes every later parse of the same names fail with
// "duplicate type name" (the registry client spreads these options, registry included, into each parse).
export const AVRO_OPTIONS = Object.freeze({ wrapUnions: true } as const);
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export type SchemaName =
  'command' | 'event' | 'pool-state' | 'reservation' | 'expired-pool' | 'command-result' | 'task-position';

/** The directory of the .avsc files: `schemas/` at the package root, from src/ and from dist/ alike. */
export const SCHEMA_DIR = join(__dirname, '..', '..', 'schemas');

export function readSchema(name: SchemaName): avro.Schema {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.avsc`), 'utf8')) as avro.Schema;
}

export interface RegistryOptions {
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string } | null;
}

export function createRegistry(options: RegistryOptions): SchemaRegistry {
  return new SchemaRegistry(
    { host: options.url, ...(options.auth ? { auth: { ...options.auth } } : {}), retry: { retries: 2 } },
    { [SchemaType.AVRO]: AVRO_OPTIONS },
  );
}

function wire(id: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(MAGIC_BYTE, 0);
  header.writeInt32BE(id, 1);
  return Buffer.concat([header, payload]);
}

/** Encodes and decodes one kind of value for one subject. `register()` must be called before `encode`. */
export class AvroSerde<T> {
  private readonly readerType: avro.Type;
  /** The schema as written in schemas/*.avsc: docs, defaults and logical types included. */
  private readonly schemaText: string;
  private schemaId: number | null = null;
  private readonly resolvers = new Map<number, avro.Type | avro.Resolver>();

  constructor(
    private readonly registry: SchemaRegistry,
    readonly subject: string,
    schema: avro.Schema,
    private readonly toAvro: (value: T) => Record<string, unknown>,
    private readonly fromAvro: (record: Record<string, unknown>) => T,
  ) {
    this.readerType = avro.Type.forSchema(schema, { ...AVRO_OPTIONS });
    // Not readerType.schema(): avsc's export drops every field default, doc and logicalType.
    this.schemaText = JSON.stringify(schema);
  }

  /** Registers our schema (BACKWARD_TRANSITIVE on first registration) and remembers its id. */
  async register(): Promise<number> {
    // Two processes registering a new subject at once race on its compatibility setting, which the client
    // sets right after the first registration: the second either gets "A rule named 'COMPATIBILITY'
    // already exists", or reads the subject before the first has set it and sees the registry's global
    // level (NONE). Both resolve within milliseconds; a subject that really stays at another level still
    // fails after the retries, with the registry's message.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.registerOnce();
      } catch (error) {
        const message = describeError((error as { cause?: unknown }).cause ?? error);
        const raced = /rule named 'COMPATIBILITY' already exists|BACKWARD_TRANSITIVE != NONE/i.test(message);
        if (!raced || attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
  }

  private async registerOnce(): Promise<number> {
    try {
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: this.schemaText },
        { subject: this.subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE },
      );
      this.schemaId = id;
      this.resolvers.set(id, this.readerType);
      return id;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409 || /incompatible|compatibility/i.test((error as Error).message)) {
        throw new ContractError(
          `schema for ${this.subject} refused by the registry: ${(error as Error).message}`,
          { cause: error },
        );
      }
      throw new UnavailableError(
        `schema registry unavailable while registering ${this.subject}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  get id(): number {
    if (this.schemaId === null) throw new Error(`AvroSerde(${this.subject}).register() was not called`);
    return this.schemaId;
  }

  encode(value: T): Buffer {
    const record = this.toAvro(value);
    try {
      return wire(this.id, this.readerType.toBuffer(record));
    } catch (error) {
      const problems: string[] = [];
      this.readerType.isValid(record, {
        errorHook: (path, v) =>
          problems.push(`${path.join('.') || '(root)'}: invalid value ${JSON.stringify(v)}`),
      });
      throw new ContractError(
        `cannot encode for ${this.subject}: ${problems.join('; ') || (error as Error).message}`,
        { cause: error },
      );
    }
  }

  async decode(buffer: Buffer | null): Promise<T> {
    if (buffer === null || buffer.length < HEADER_BYTES) {
      throw new ContractError(
        `not a Confluent Avro payload for ${this.subject}: ${buffer === null ? 'no value' : `${buffer.length} bytes`}`,
      );
    }
    if (buffer.readUInt8(0) !== MAGIC_BYTE) {
      throw new ContractError(
        `not a Confluent Avro payload for ${this.subject}: magic byte is ${buffer.readUInt8(0)}, expected 0`,
      );
    }
    const writerId = buffer.readInt32BE(1);
    const resolver = this.resolvers.get(writerId) ?? (await this.resolverFor(writerId));
    let record: Record<string, unknown>;
    try {
      record =
        resolver === this.readerType
          ? (this.readerType.fromBuffer(buffer.subarray(HEADER_BYTES)) as Record<string, unknown>)
          : (this.readerType.fromBuffer(buffer.subarray(HEADER_BYTES), resolver as avro.Resolver) as Record<
              string,
              unknown
            >);
    } catch (error) {
      throw new ContractError(
        `payload for ${this.subject} does not match writer schema ${writerId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return this.fromAvro(record);
  }

  private async resolverFor(writerId: number): Promise<avro.Type | avro.Resolver> {
    let writerType: avro.Type;
    try {
      writerType = (await this.registry.getSchema(writerId)) as unknown as avro.Type;
    } catch (error) {
      const status = (error as { status?: number }).status;
      // Only the registry saying the id does not exist makes the payload unreadable. Anything else
      // (unreachable, timeout, 5xx, 401/403) says nothing about the record: it must be retried, not
      // dead-lettered, and is not cached, so the next attempt asks the registry again.
      if (status === 404)
        throw new ContractError(`unknown schema id ${writerId} in a ${this.subject} payload`, {
          cause: error,
        });
      throw new RegistryUnavailableError(
        `schema registry unavailable while fetching schema ${writerId}: ${(error as Error).message}`,
        { cause: error, context: { subject: this.subject, schemaId: writerId, status: status ?? null } },
      );
    }
    let resolver: avro.Type | avro.Resolver;
    try {
      resolver = writerType.equals(this.readerType)
        ? this.readerType
        : this.readerType.createResolver(writerType);
    } catch (error) {
      throw new ContractError(
        `writer schema ${writerId} cannot be read as ${this.subject}'s schema: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.resolvers.set(writerId, resolver);
    return resolver;
  }
}
