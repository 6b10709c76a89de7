import { Kafka, logLevel } from 'kafkajs';

/**
 * True when a broker at `address` answers metadata requests and the cluster has a controller: a real,
 * ready Kafka broker, not merely an open port. Fails fast (no retries).
 */
export async function brokerAnswers(address: string, timeoutMs = 2000): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'capacity-probe',
    brokers: [address],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
