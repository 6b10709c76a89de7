import { KafkaJS } from '@confluentinc/kafka-javascript';

/**
 * True when a broker at `address` answers metadata requests: a real, ready Kafka broker, not merely an
 * open port. Fails fast (no retries).
 */
export async function brokerAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  const admin = new KafkaJS.Kafka({
    'client.id': 'capacity-probe',
    'socket.connection.setup.timeout.ms': Math.max(1000, Math.min(timeoutMs, 3000)),
    log_level: 0,
    kafkaJS: { brokers: [address], logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics({ timeout: timeoutMs });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
