// An in-memory stand-in for the schema registry client, enough for AvroSerde: register() hands out ids,
// getSchema() parses the registered text as the real client does (avsc with our options), and an unknown
// id fails with status 404 like the registry's REST API.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { AVRO_OPTIONS } from '../../../src/contracts';

export interface Registration {
  readonly subject: string;
  readonly compatibility: string | undefined;
  readonly schema: string;
}

export class FakeRegistry {
  readonly registrations: Registration[] = [];
  private readonly schemas = new Map<number, string>();
  private nextId: number;
  /** When set, every call fails as if the registry could not be reached. */
  unreachable = false;
  /** When set, every call fails with this HTTP status, as the real client's ResponseError does. */
  failingStatus: number | null = null;
  getSchemaCalls = 0;

  constructor(firstId = 1) {
    this.nextId = firstId;
  }

  /** Puts a schema under an id directly, as another producer's registration would. */
  put(id: number, schema: object): void {
    this.schemas.set(id, JSON.stringify(schema));
  }

  async register(
    schema: { type: string; schema: string },
    options: { subject: string; compatibility?: string },
  ): Promise<{ id: number }> {
    this.failIfUnreachable();
    this.registrations.push({
      subject: options.subject,
      compatibility: options.compatibility,
      schema: schema.schema,
    });
    const existing = [...this.schemas.entries()].find(([, text]) => text === schema.schema);
    if (existing) return { id: existing[0] };
    const id = this.nextId++;
    this.schemas.set(id, schema.schema);
    return { id };
  }

  async getSchema(id: number): Promise<avro.Type> {
    this.getSchemaCalls += 1;
    this.failIfUnreachable();
    const text = this.schemas.get(id);
    if (text === undefined) {
      throw Object.assign(new Error(`No content with ID '${id}' was found.`), { status: 404 });
    }
    return avro.Type.forSchema(JSON.parse(text) as avro.Schema, { ...AVRO_OPTIONS });
  }

  asClient(): SchemaRegistry {
    return this as unknown as SchemaRegistry;
  }

  private failIfUnreachable(): void {
    if (this.unreachable) throw new Error('connect ECONNREFUSED 127.0.0.1:8081');
    if (this.failingStatus !== null) {
      throw Object.assign(new Error(`Schema Registry - Error, status ${this.failingStatus}`), {
        status: this.failingStatus,
      });
    }
  }
}
