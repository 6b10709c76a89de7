// CapacityClient over a fake transport: the order of "sent", "acknowledged", "result" and the timers, as
// a stalled broker produces it. A SIGSTOPped broker used to end the gateway process: the result timer ran
// during the send, rejected a promise nobody listened to yet, and Node exits on an unhandled rejection.
import {
  AvroSerde,
  commandFromAvro,
  commandToAvro,
  readSchema,
  resultFromAvro,
  resultToAvro,
} from '../../../src/contracts';
import type { CommandResult } from '../../../src/contracts';
import {
  CapacityClient,
  ResultTimeoutError,
  SendTimeoutError,
  type CommandTransport,
} from '../../../src/client';
import type { CommandEnvelope } from '../../../src/domain';
import { CapacityError } from '../../../src/errors';
import type { ChannelRecord, Reply } from '../../../src/kafka';
import { createLogger } from '../../../src/observability';
import { FakeRegistry } from '../contracts/fakeRegistry';

const TIMEOUT_MS = 100;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A transport whose acknowledgements and replies the test releases by hand. */
class FakeTransport implements CommandTransport {
  readonly sent: ChannelRecord[] = [];
  /** How each send completes; the default acknowledges at once. */
  onSend: (records: readonly ChannelRecord[]) => Promise<void> = async () => undefined;

  constructor(readonly reply: (reply: Reply) => void) {}

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  send(records: readonly ChannelRecord[]): Promise<void> {
    this.sent.push(...records);
    return this.onSend(records);
  }
}

let transport: FakeTransport;
let client: CapacityClient;
let serdes: { command: AvroSerde<CommandEnvelope>; result: AvroSerde<CommandResult> };
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));

beforeEach(async () => {
  unhandled.length = 0;
  const registry = new FakeRegistry();
  serdes = {
    command: new AvroSerde(
      registry.asClient(),
      't.commands-value',
      readSchema('command'),
      commandToAvro,
      commandFromAvro,
    ),
    result: new AvroSerde(
      registry.asClient(),
      't.command-results-value',
      readSchema('command-result'),
      resultToAvro,
      resultFromAvro,
    ),
  };
  await serdes.command.register();
  await serdes.result.register();
  client = new CapacityClient({
    transport: (onReply) => (transport = new FakeTransport(onReply)),
    serdes,
    requestTimeoutMs: TIMEOUT_MS,
    logger: createLogger('silent'),
  });
});

afterEach(async () => {
  await client.close();
  // Node reports unhandled rejections after the microtask queue drains: give it a turn.
  await new Promise((resolve) => setImmediate(resolve));
  expect(unhandled).toEqual([]);
});

/** The accepted result of a sent command, as a processor would publish it. */
function replyTo(record: ChannelRecord): void {
  const commandId = record.headers['capacity-command-id'] as string;
  transport.reply({
    key: commandId,
    value: serdes.result.encode({
      commandId,
      requestId: 'order-1',
      poolId: 'pool-1',
      status: 'accepted',
      reasonCode: null,
      message: null,
      reservationId: 'r1.pool-1.00000000000000000000000000000000',
      poolVersion: 2,
      processedAt: Date.now(),
      events: 1,
      units: 2,
      reservationStatus: 'reserved',
    }),
  });
}

test('a broker that stalls past the request timeout fails the call cleanly, never as an unhandled rejection', async () => {
  transport.onSend = async () => {
    await sleep(3 * TIMEOUT_MS); // SIGSTOPped broker: the send fails only after the client's own retries
    throw new Error('Request Produce(key: 0, version: 7) timed out');
  };
  const error = await client.reserve('pool-1', 2, { requestId: 'order-1' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CapacityError);
  expect(error).toMatchObject({ retriable: true });
  expect(error).not.toBeInstanceOf(ResultTimeoutError); // nothing was acknowledged: not a missing result
  await sleep(3 * TIMEOUT_MS); // the late failure of the send must be handled too
});

test('the result wait starts when Kafka acknowledges the command, not before', async () => {
  transport.onSend = () => sleep(0.7 * TIMEOUT_MS);
  const pending = client.reserve('pool-1', 2, { requestId: 'order-1' });
  await sleep(0.7 * TIMEOUT_MS);
  await sleep(0.6 * TIMEOUT_MS); // 1.3 timeouts after the call, 0.6 after the acknowledgement
  replyTo(transport.sent[0] as ChannelRecord);
  await expect(pending).resolves.toMatchObject({ status: 'accepted', events: 1 });
});

test('a send that is never acknowledged ends in SendTimeoutError after the timeout, with the key to retry with', async () => {
  transport.onSend = () => new Promise<void>(() => undefined);
  const error = await client.reserve('pool-1', 2, { requestId: 'order-7' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SendTimeoutError);
  expect(error).toMatchObject({ code: 'SEND_TIMEOUT', retriable: true, requestId: 'order-7' });
});

test('a failed send is a retriable UnavailableError naming the command', async () => {
  transport.onSend = async () => {
    throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
  };
  const error = await client.reserve('pool-1', 2).catch((e: unknown) => e);
  expect(error).toMatchObject({
    code: 'UNAVAILABLE',
    retriable: true,
    message: expect.stringMatching(/ECONNREFUSED/),
  });
});

test('no result after the acknowledgement is a ResultTimeoutError carrying the idempotency key', async () => {
  const error = await client.reserve('pool-1', 2, { requestId: 'order-8' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ResultTimeoutError);
  expect(error).toMatchObject({ requestId: 'order-8', commandId: expect.any(String) });
});

test('a result that overtakes the acknowledgement is not lost', async () => {
  transport.onSend = async (records) => {
    replyTo(records[0] as ChannelRecord);
    await sleep(10);
  };
  await expect(client.reserve('pool-1', 2)).resolves.toMatchObject({ status: 'accepted' });
});

test('closing the client while a send is in flight rejects the call, and nothing else', async () => {
  let acknowledge: () => void = () => undefined;
  transport.onSend = () => new Promise<void>((resolve) => (acknowledge = resolve));
  const pending = client.reserve('pool-1', 2).catch((e: unknown) => e);
  await sleep(0);
  await client.close();
  acknowledge();
  expect(await pending).toMatchObject({ code: 'CLIENT_CLOSED' });
});

test("every command carries an idempotency key: the caller's, or a new UUID", async () => {
  await client.reserve('pool-1', 1, { requestId: 'order-9', timeoutMs: 1 }).catch(() => undefined);
  await client.reserve('pool-1', 1, { timeoutMs: 1 }).catch(() => undefined);
  const [given, generated] = await Promise.all(transport.sent.map((r) => serdes.command.decode(r.value)));
  expect(given?.requestId).toBe('order-9');
  expect(generated?.requestId).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
});
