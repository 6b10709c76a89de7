import { Partitioners, type PartitionMetadata } from 'kafkajs';

const defaultPartitioner = Partitioners.DefaultPartitioner();
const metadataCache = new Map<number, PartitionMetadata[]>();

/**
 * The partition the Java client and kafkajs choose for a key (murmur2, positive, modulo the count).
 * librdkafka-based clients default to CRC32, so the processor uses this to detect misrouted commands.
 */
export function partitionForKey(key: string, partitionCount: number): number {
  let partitionMetadata = metadataCache.get(partitionCount);
  if (!partitionMetadata) {
    partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataCache.set(partitionCount, partitionMetadata);
  }
  return defaultPartitioner({ topic: '', partitionMetadata, message: { key, value: null } });
}
