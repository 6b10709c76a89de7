// The order service's client: produces commands straight to Kafka with the right key (the pool id; for a
// release, the pool id inside the reservation id) and Avro encoding, and awaits each command's result.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { COMMAND_ID_HEADER, connectSerdes, topicNames, type CommandResult, type Serdes } from '../contracts';
import { targetPoolId, type Command, type CommandEnvelope } from '../domain';
import { CapacityError, describeError, UnavailableError } from '../errors';
import { CommandChannel, createKafka, type ChannelRecord, type Reply } from '../kafka';
import type { Logger } from '../observability';

/**
 * Thrown when Kafka acknowledged a command but its result did not arrive in time; retry with the same
 * idempotency key (`requestId`) to get the original outcome.
 */
export class ResultTimeoutError extends CapacityError {
  constructor(
    readonly commandId: string,
    timeoutMs: number,
    readonly requestId: string | null = null,
  ) {
    super(
      'RESULT_TIMEOUT',
      `no result for command ${commandId} within ${timeoutMs} ms; retry with the same idempotency key`,
      { retriable: true, context: { commandId, requestId } },
    );
  }
}

/**
 * Thrown when Kafka did not acknowledge a command within the request timeout (a stalled or unreachable
 * broker). The command may still be written later: retry with the same idempotency key (`requestId`).
 */
export class SendTimeoutError extends UnavailableError {
  constructor(
    readonly commandId: string,
    timeoutMs: number,
    readonly requestId: string,
  ) {
    super(
      `Kafka did not acknowledge command ${commandId} within ${timeoutMs} ms; it may still be processed, retry with the same idempotency key`,
      { code: 'SEND_TIMEOUT', context: { commandId, requestId } },
    );
  }
}

export interface SubmitOptions {
  /**
   * Idempotency key: a retry with the same key gets the original outcome. Every command carries one: when
   * none is given, a new random UUID is used, which makes that call a new reservation each time; it is in
   * the result and in ResultTimeoutError/SendTimeoutError (`requestId`), so a retry can reuse it.
   */
  readonly requestId?: string;
  /** Admin commands: reject with VERSION_CONFLICT unless the pool is at this version. */
  readonly expectedVersion?: number | null;
  /** Bound on the wait for Kafka's acknowledgement, and then on the wait for the result. */
  readonly timeoutMs?: number;
  /** Who issues the command (recorded in its metadata), e.g. the gateway caller's name. */
  readonly issuedBy?: string;
}

/** What the client needs from Kafka: a CommandChannel in production, a fake in unit tests. */
export interface CommandTransport {
  start(): Promise<void>;
  /** Resolves once Kafka has acknowledged the records (acks=all). */
  send(records: readonly ChannelRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/** Everything a CapacityClient is made of; `CapacityClient.connect` builds them from the config. */
export interface CapacityClientParts {
  /** Opens the transport, giving it the callback for every reply it reads. */
  readonly transport: (onReply: (reply: Reply) => void) => CommandTransport;
  readonly serdes: Pick<Serdes, 'command' | 'result'>;
  /** Default bound on the wait for a result (CAPACITY_REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
}

interface Pending {
  resolve(result: CommandResult): void;
  reject(error: unknown): void;
  /** The result timer: set once Kafka has acknowledged the command. */
  timer: NodeJS.Timeout | null;
}

export class CapacityClient {
  private readonly pending = new Map<string, Pending>();
  private readonly channel: CommandTransport;
  private readonly serdes: Pick<Serdes, 'command' | 'result'>;
  private readonly requestTimeoutMs: number;
  private readonly log: Logger;

  /** A client over the given parts; its transport must be started (`connect` does both). */
  constructor(parts: CapacityClientParts) {
    this.serdes = parts.serdes;
    this.requestTimeoutMs = parts.requestTimeoutMs;
    this.log = parts.logger;
    this.channel = parts.transport((reply) => {
      const waiting = this.pending.get(reply.key);
      if (!waiting) return;
      this.pending.delete(reply.key);
      if (waiting.timer) clearTimeout(waiting.timer);
      this.serdes.result.decode(reply.value).then(waiting.resolve, waiting.reject);
    });
  }

  /** Registers the schemas it writes, connects, and positions the result reader. */
  static async connect(
    config: Config,
    logger: Logger,
    clientId = 'capacity-client',
  ): Promise<CapacityClient> {
    const log = logger.child({ component: 'client' });
    const kafka = createKafka(config, { clientId, logger, requestTimeoutMs: 5000, retries: 3 });
    let serdes: Serdes;
    try {
      serdes = await connectSerdes(
        { url: config.registryUrl, auth: config.registryAuth },
        topicNames(config.topicPrefix),
      );
    } catch (error) {
      throw error instanceof CapacityError
        ? error
        : new UnavailableError(`schema registry: ${describeError(error)}`, { cause: error });
    }
    const topics = topicNames(config.topicPrefix);
    const client = new CapacityClient({
      transport: (onReply) =>
        new CommandChannel(
          kafka,
          topics.commands,
          topics.commandResults,
          `${config.applicationId}-client`,
          onReply,
        ),
      serdes,
      requestTimeoutMs: config.requestTimeoutMs,
      logger: log,
    });
    try {
      await client.channel.start();
    } catch (error) {
      await client.channel.stop();
      throw new UnavailableError(`Kafka unavailable: ${describeError(error)}`, { cause: error });
    }
    return client;
  }

  reserve(poolId: string, units: number, options: SubmitOptions = {}): Promise<CommandResult> {
    return this.submit({ type: 'ReserveCapacity', poolId, units }, options);
  }

  release(reservationId: string, options: SubmitOptions = {}): Promise<CommandResult> {
    return this.submit({ type: 'ReleaseCapacity', reservationId }, options);
  }

  /** Sends one command and resolves with its result (accepted or rejected). */
  async submit(command: Command, options: SubmitOptions = {}): Promise<CommandResult> {
    const envelope: CommandEnvelope = {
      commandId: randomUUID(),
      requestId: options.requestId ?? randomUUID(),
      issuedAt: Date.now(),
      expectedVersion: options.expectedVersion ?? null,
      ...(options.issuedBy === undefined ? {} : { issuedBy: options.issuedBy }),
      command,
    };
    return this.submitEnvelope(envelope, options.timeoutMs);
  }

  /**
   * Sends a prepared envelope (its id must be new) and awaits its result. Two bounded waits, each of
   * `timeoutMs`: for Kafka's acknowledgement (else SendTimeoutError, or UnavailableError when the send
   * fails), then for the result (else ResultTimeoutError). Every promise involved has a handler from the
   * start, so a stalled broker can never surface as an unhandled rejection.
   */
  async submitEnvelope(envelope: CommandEnvelope, timeoutMs = this.requestTimeoutMs): Promise<CommandResult> {
    const { commandId, requestId } = envelope;
    const key = targetPoolId(envelope.command);
    const value = this.serdes.command.encode(envelope);
    // Waiting before the send: a result may overtake the acknowledgement.
    const result = new Promise<CommandResult>((resolve, reject) => {
      this.pending.set(commandId, { resolve, reject, timer: null });
    });
    result.catch(() => undefined); // close() may reject it while the send is still in flight
    try {
      await this.acknowledged(
        this.channel.send([{ key, value, headers: { [COMMAND_ID_HEADER]: commandId } }]),
        envelope,
        timeoutMs,
      );
    } catch (error) {
      this.pending.delete(commandId);
      throw error;
    }
    const waiting = this.pending.get(commandId);
    if (waiting) {
      waiting.timer = setTimeout(() => {
        this.pending.delete(commandId);
        waiting.reject(new ResultTimeoutError(commandId, timeoutMs, requestId));
      }, timeoutMs);
    }
    return result;
  }

  /** Resolves when the send is acknowledged; rejects when it fails or takes longer than `timeoutMs`. */
  private acknowledged(sending: Promise<void>, envelope: CommandEnvelope, timeoutMs: number): Promise<void> {
    const { commandId, requestId } = envelope;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new SendTimeoutError(commandId, timeoutMs, requestId)),
        timeoutMs,
      );
      sending.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.log.warn({ err: describeError(error), commandId }, 'command not sent');
          reject(
            new UnavailableError(
              `Kafka unavailable, command ${commandId} not sent: ${describeError(error)}`,
              {
                cause: error,
                context: { commandId, requestId },
              },
            ),
          );
        },
      );
    });
  }

  async close(): Promise<void> {
    for (const [commandId, waiting] of this.pending) {
      if (waiting.timer) clearTimeout(waiting.timer);
      waiting.reject(
        new CapacityError('CLIENT_CLOSED', `client closed before the result of ${commandId} arrived`),
      );
    }
    this.pending.clear();
    await this.channel.stop();
  }
}
