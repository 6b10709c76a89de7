// Request/reply over Kafka for command producers: an idempotent producer that lingers a millisecond so
// concurrent requests share produce requests, and a reply reader that assigns every partition of the reply
// topic (no consumer group), starting at the end offsets measured at start, so every instance sees every
// reply and picks its own by key. Several gateway or order-service instances work at once.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Kafka } from './client';
import { RdConsumer } from './rdConsumer';
import { retryRetriable } from './retriable';

export interface Reply {
  readonly key: string;
  readonly value: Buffer | null;
}

export interface ChannelRecord {
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface CommandChannelOptions {
  /** How long a send may wait for the broker before it fails (the caller answers 503). */
  readonly sendTimeoutMs: number;
}

export class CommandChannel {
  private readonly producer: KafkaJS.Producer;
  private consumer: RdConsumer | null = null;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly kafka: Kafka,
    private readonly requestTopic: string,
    private readonly replyTopic: string,
    private readonly groupPrefix: string,
    private readonly onReply: (reply: Reply) => void,
    options: CommandChannelOptions = { sendTimeoutMs: 5000 },
  ) {
    this.producer = kafka.kafkaJS.producer({
      'linger.ms': 1,
      // librdkafka gives a message up only after a minute; the caller stops waiting after sendTimeoutMs
      // (its own timer) and answers 503/504, as before. Giving up on a message that is in flight makes the
      // idempotent producer bump its epoch and send the in-flight batches of other partitions again, which
      // writes commands that were already written a second time (librdkafka issue 4953): the chaos soak saw
      // 40 such commands around broker kills with a 5 s message timeout.
      'message.timeout.ms': Math.max(options.sendTimeoutMs, 60_000),
      'enable.idempotence': true,
      // One request in flight per broker: with more, a failed request makes the broker answer the ones behind
      // it OUT_OF_ORDER_SEQUENCE_NUMBER, and librdkafka then bumps the producer epoch and sends them again,
      // writing commands that were already written a second time (librdkafka issue 4953; the chaos soak saw
      // 35 commands written twice around broker kills). Batching (linger.ms) keeps the throughput.
      'max.in.flight.requests.per.connection': 1,
      // The Java client's partitioner: the processor refuses commands that arrive elsewhere (misrouted).
      partitioner: 'murmur2_random',
      kafkaJS: { acks: -1, idempotent: true },
    });
  }

  /**
   * Connects, and resolves once every reply written from now on will be seen: the reply topic's end
   * offsets are read first and each partition is assigned there, so no reply can land before the
   * reader's starting position.
   */
  async start(): Promise<void> {
    const consumer = await RdConsumer.connect(this.kafka, {
      'group.id': `${this.groupPrefix}-replies`,
      'fetch.wait.max.ms': 5,
      'fetch.min.bytes': 1,
    });
    this.consumer = consumer;
    const count = (await retryRetriable(() => consumer.partitionCounts([this.replyTopic]))).get(
      this.replyTopic,
    );
    if (!count) throw new Error(`reply topic ${this.replyTopic} does not exist`);
    const assignments = [];
    for (let partition = 0; partition < count; partition++) {
      const { high } = await retryRetriable(() => consumer.watermarks(this.replyTopic, partition));
      assignments.push({ topic: this.replyTopic, partition, offset: high });
    }
    consumer.assign(assignments);
    await this.producer.connect();
    this.running = true;
    this.loop = this.run(consumer);
  }

  private async run(consumer: RdConsumer): Promise<void> {
    while (this.running) {
      try {
        for (const m of await consumer.consume(5000, 100)) {
          this.onReply({ key: m.key?.toString() ?? '', value: m.value ?? null });
        }
      } catch {
        // Broker unreachable: librdkafka reconnects by itself; waiting callers time out meanwhile.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Produces the records; resolves when the broker has acknowledged all of them (acks=all). */
  async send(records: readonly ChannelRecord[]): Promise<void> {
    await this.producer.send({
      topic: this.requestTopic,
      messages: records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
