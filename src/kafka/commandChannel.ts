// Request/reply over Kafka for command producers: send keyed records with an idempotent producer, and
// read the reply topic with a consumer group of one (a unique group per instance), so every instance
// sees every reply and picks its own by key. Several gateway or order-service instances work at once.
import { randomBytes } from 'node:crypto';
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
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

export class CommandChannel {
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private joined: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly requestTopic: string,
    private readonly replyTopic: string,
    groupPrefix: string,
    private readonly onReply: (reply: Reply) => void,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 5,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.consumer = kafka.consumer({
      groupId: `${groupPrefix}-replies-${randomBytes(6).toString('hex')}`,
      maxWaitTimeInMs: 20,
      readUncommitted: false,
    });
    let joined: () => void = () => undefined;
    this.joined = new Promise((resolve) => (joined = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => joined());
  }

  /**
   * Connects, and resolves once every reply written from now on will be seen. The reply topic's end
   * offsets are read first and each partition is sought there, so there is no window in which a reply
   * could land before the consumer's starting position (as there is with fromBeginning=false, which
   * resolves "latest" lazily at the first fetch).
   */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = await retryRetriable(() => admin.fetchTopicOffsets(this.replyTopic)).finally(() =>
      admin.disconnect(),
    );
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.replyTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) this.onReply({ key: m.key?.toString() ?? '', value: m.value });
      },
    });
    await this.joined;
    for (const end of ends)
      this.consumer.seek({ topic: this.replyTopic, partition: end.partition, offset: end.high });
  }

  /**
   * Queues records and sends everything queued in the same tick as one produce request: kafkajs does not
   * linger, and a request per command caps throughput at the broker's round trip time.
   */
  send(records: readonly ChannelRecord[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => void this.flush());
    });
  }

  private queue: Array<{
    records: readonly ChannelRecord[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }> = [];

  private async flush(): Promise<void> {
    const waiting = this.queue;
    this.queue = [];
    try {
      await this.producer.send({
        topic: this.requestTopic,
        acks: -1,
        messages: waiting.flatMap((w) =>
          w.records.map((r) => ({ key: r.key, value: r.value, headers: { ...r.headers } })),
        ),
      });
      for (const w of waiting) w.resolve();
    } catch (error) {
      for (const w of waiting) w.reject(error);
    }
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
  }
}
