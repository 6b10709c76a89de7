// Who is in a consumer group and what each member owns (DescribeGroups through the admin client), and
// fencing a transactional id: what a processor needs to place standby replicas and to take over from a
// member that died inside a transaction.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Kafka } from './client';
import { TransactionalWriter } from './transactionalWriter';

export interface GroupMemberView {
  readonly memberId: string;
  /** The member's `client.id`; processors set it to their transactional id. */
  readonly clientId: string;
  readonly instanceId: string | null;
  /** Partitions of the subscribed topic assigned to the member, ascending. */
  readonly partitions: readonly number[];
}

/**
 * The describing process: one admin connection, DescribeGroups on request over IPC. It runs apart because
 * the native binding can crash the process that calls DescribeGroups: when a group's coordinator cannot
 * be reached, librdkafka returns a description carrying only an error, and the binding reads its null
 * assignor name (SIGSEGV, confluent-kafka-javascript issue 531, open in 1.10.1). A processor cut off from
 * the network hit it in the chaos soak. Here such a crash ends only this process; the next call starts
 * another. It exits when its parent goes (the IPC channel closes).
 */
const CHILD = `
const { KafkaJS } = require(process.env.CAPACITY_KAFKA_MODULE);
const init = JSON.parse(process.env.CAPACITY_DESCRIBER_INIT);
const kafka = new KafkaJS.Kafka({ ...init.rdkafka, kafkaJS: { brokers: init.brokers, logLevel: KafkaJS.logLevel.NOTHING } });
const admin = kafka.admin();
const connected = admin.connect();
connected.catch(() => undefined);
process.on('disconnect', () => process.exit(0));
process.on('message', async ({ id, groupId, timeoutMs }) => {
  try {
    await connected;
    const { groups } = await admin.describeGroups([groupId], { timeout: timeoutMs });
    const group = groups.find((g) => g.groupId === groupId);
    const error = group && group.error ? String(group.error.message || group.error) : null;
    const members = group && !error ? group.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      instanceId: m.groupInstanceId || null,
      assignment: ((m.assignment && m.assignment.topicPartitions) || []).map((tp) => [tp.topic, tp.partition]),
    })) : [];
    process.send({ id, error, members });
  } catch (e) {
    process.send({ id, error: String((e && e.message) || e), members: [] });
  }
});
`;

interface Described {
  readonly id: number;
  readonly error: string | null;
  readonly members: ReadonlyArray<{
    memberId: string;
    clientId: string;
    instanceId: string | null;
    assignment: Array<[string, number]>;
  }>;
}

/** Describes one consumer group, again and again, from a describing process of its own (above). */
export class GroupDescriber {
  private child: ChildProcess | null = null;
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (d: Described) => void; reject: (e: Error) => void }
  >();

  private constructor(private readonly kafka: Kafka) {}

  static async connect(kafka: Kafka): Promise<GroupDescriber> {
    return new GroupDescriber(kafka);
  }

  /** The group's current members and their assignments of `topic`; empty when the group has none. */
  async members(groupId: string, topic: string, timeoutMs = 5000): Promise<GroupMemberView[]> {
    const described = await this.ask(groupId, timeoutMs);
    if (described.error !== null) throw new Error(`describe group ${groupId}: ${described.error}`);
    return described.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      instanceId: m.instanceId,
      partitions: m.assignment
        .filter(([t]) => t === topic)
        .map(([, partition]) => partition)
        .sort((a, b) => a - b),
    }));
  }

  /** The describing process's pid (null when none runs): tests signal it. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  private ask(groupId: string, timeoutMs: number): Promise<Described> {
    const child = this.child ?? this.start();
    const id = this.nextId++;
    return new Promise<Described>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`describe group ${groupId}: no answer within ${timeoutMs + 5000} ms`));
      }, timeoutMs + 5000);
      const settle =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          clearTimeout(timer);
          this.pending.delete(id);
          f(v);
        };
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
      child.send({ id, groupId, timeoutMs });
    });
  }

  private start(): ChildProcess {
    const { 'bootstrap.servers': _bootstrap, ...rdkafka } = this.kafka.rdkafka;
    const child = spawn(process.execPath, ['-e', CHILD], {
      env: {
        ...process.env,
        CAPACITY_KAFKA_MODULE: require.resolve('@confluentinc/kafka-javascript'),
        CAPACITY_DESCRIBER_INIT: JSON.stringify({ rdkafka, brokers: this.kafka.cluster.brokers }),
      },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-300)));
    child.on('message', (message: Described) => this.pending.get(message.id)?.resolve(message));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const why = `the group describing process exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`;
      if (signal !== 'SIGTERM' || this.pending.size > 0) this.kafka.logger.warn({ signal, code }, why);
      for (const { reject } of [...this.pending.values()]) reject(new Error(why));
    });
    this.child = child;
    return child;
  }
}

/**
 * Fences a transactional id: initialising a producer with it bumps its epoch, so the coordinator aborts
 * the transaction its previous holder left open (at once, not after `transaction.timeout.ms`) and refuses
 * that holder's later writes. Safe whenever the holder has lost its partitions: it could only abort.
 */
export async function fenceTransactionalId(
  kafka: Kafka,
  transactionalId: string,
  transactionTimeoutMs: number,
): Promise<void> {
  const writer = await TransactionalWriter.create(kafka, { transactionalId, transactionTimeoutMs });
  await writer.close();
}
