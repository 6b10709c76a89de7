import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Config } from '../config';

/**
 * True when a broker at `address` answers metadata requests: a real, ready Kafka broker, not merely an
 * open port. Fails fast (no retries). A broker that requires SASL answers only with `sasl` (a refused
 * login is "not answering" too).
 */
export async function brokerAnswers(
  address: string,
  timeoutMs = 2000,
  sasl: Config['sasl'] = null,
): Promise<boolean> {
  const login = sasl
    ? {
        'security.protocol': 'sasl_plaintext' as const,
        'sasl.mechanisms': sasl.mechanism.toUpperCase(),
        'sasl.username': sasl.username,
        'sasl.password': sasl.password,
      }
    : {};
  const admin = new KafkaJS.Kafka({
    'client.id': 'capacity-probe',
    'socket.connection.setup.timeout.ms': Math.max(1000, Math.min(timeoutMs, 3000)),
    log_level: 0,
    ...login,
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
