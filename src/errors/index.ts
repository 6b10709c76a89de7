// One error root for the service (after kafkajs' KafkaJSError): a stable code, whether a retry may help,
// and context fields for logs. HTTP mapping happens once, in the gateway's problem+json middleware.

export interface ErrorContext {
  readonly [key: string]: unknown;
}

export class CapacityError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  readonly context: ErrorContext;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; context?: ErrorContext; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
}

/** Thrown at start-up when an environment variable or option has an invalid value. */
export class ConfigError extends CapacityError {
  constructor(message: string, context: ErrorContext = {}) {
    super('CONFIG_INVALID', message, { context });
  }
}

/** Thrown when a dependency (broker, registry, database, local stack) cannot be reached or started. */
export class UnavailableError extends CapacityError {
  constructor(
    message: string,
    options: { context?: ErrorContext; cause?: unknown; /** A more specific code. */ code?: string } = {},
  ) {
    const { code = 'UNAVAILABLE', ...rest } = options;
    super(code, message, { ...rest, retriable: true });
  }
}

/**
 * Thrown when the schema registry cannot answer (unreachable, timeout, 5xx, refused credentials) while a
 * serde needs it, e.g. to fetch a writer schema it has not seen. Retriable: the record is not at fault,
 * so it must never be treated as poison; retry the whole unit of work.
 */
export class RegistryUnavailableError extends UnavailableError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super(message, { ...options, code: 'REGISTRY_UNAVAILABLE' });
  }
}

/**
 * Thrown when a bound on concurrent work is reached (the gateway's write commands in flight): the request
 * was refused before doing anything; retry after `retryAfterSeconds`.
 */
export class OverloadedError extends CapacityError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    context: ErrorContext = {},
  ) {
    super('OVERLOADED', message, { retriable: true, context });
  }
}

/** Thrown when existing topics differ from what the service needs (partitions, cleanup policy). */
export class TopicDriftError extends CapacityError {
  constructor(message: string, context: ErrorContext = {}) {
    super('TOPIC_DRIFT', message, { context });
  }
}

/** Thrown when a record cannot be encoded or decoded against its Avro contract. */
export class ContractError extends CapacityError {
  constructor(message: string, options: { context?: ErrorContext; cause?: unknown } = {}) {
    super('CONTRACT_VIOLATION', message, options);
  }
}

/** True for a CapacityError that says a retry may succeed (the operation, not the input, failed). */
export function isRetriable(error: unknown): boolean {
  return error instanceof CapacityError && error.retriable;
}

/** Message of any thrown value, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
