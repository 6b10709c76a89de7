import { KafkaJSError } from 'kafkajs';

/**
 * Retries an admin call on errors Kafka marks retriable (leader elections right after topic creation,
 * coordinator loading), with a short backoff. Anything else, or the last failure, is thrown.
 */
export async function retryRetriable<T>(operation: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      const retriable = error instanceof KafkaJSError && error.retriable;
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
