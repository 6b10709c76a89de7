// Who is in a consumer group and what each member owns (DescribeGroups through the admin client), and
// fencing a transactional id: what a processor needs to place standby replicas and to take over from a
// member that died inside a transaction.
import type { KafkaJS } from '@confluentinc/kafka-javascript';
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

/** Describes one consumer group, again and again, over one admin connection. */
export class GroupDescriber {
  private constructor(private readonly admin: KafkaJS.Admin) {}

  static async connect(kafka: Kafka): Promise<GroupDescriber> {
    const admin = kafka.kafkaJS.admin();
    await admin.connect();
    return new GroupDescriber(admin);
  }

  /** The group's current members and their assignments of `topic`; empty when the group has none. */
  async members(groupId: string, topic: string, timeoutMs = 5000): Promise<GroupMemberView[]> {
    const { groups } = await this.admin.describeGroups([groupId], { timeout: timeoutMs });
    const group = groups.find((g) => g.groupId === groupId);
    if (!group) return [];
    if (group.error) throw group.error;
    return group.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      instanceId: m.groupInstanceId ?? null,
      partitions: (m.assignment?.topicPartitions ?? [])
        .filter((tp) => tp.topic === topic)
        .map((tp) => tp.partition)
        .sort((a, b) => a - b),
    }));
  }

  async close(): Promise<void> {
    await this.admin.disconnect().catch(() => undefined);
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
