// librdkafka error codes that mean "try again shortly" for admin calls: leader elections right after topic
// creation, a broker or coordinator still loading, timeouts.
const RETRIABLE_CODES = new Set([
  -185, // ERR__TIMED_OUT
  -195, // ERR__TRANSPORT
  -187, // ERR__ALL_BROKERS_DOWN
  3, // UNKNOWN_TOPIC_OR_PARTITION (metadata not propagated yet)
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  7, // REQUEST_TIMED_OUT
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  41, // NOT_CONTROLLER
]);

export function isRetriable(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const { retriable, code, errors } = e as { retriable?: boolean; code?: number; errors?: unknown[] };
    if (retriable === true || (typeof code === 'number' && RETRIABLE_CODES.has(code))) return true;
    if (Array.isArray(errors) && errors.length > 0 && errors.every(isRetriable)) return true;
  }
  return false;
}

/** Retries a call on retriable errors with a short backoff. Anything else, or the last failure, is thrown. */
export async function retryRetriable<T>(operation: () => Promise<T>, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isRetriable(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
