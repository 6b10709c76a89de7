// The gateway's bound on write commands in flight: refuse at once past it, never queue, always release.
import { InFlightLimiter } from '../../../src/gateway';
import { OverloadedError } from '../../../src/errors';

/** Work the test finishes by hand. */
function gate<T>(): { promise: Promise<T>; open: (value: T) => void; fail: (error: Error) => void } {
  let open: (value: T) => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

test('runs work up to the bound, then refuses at once with OverloadedError and Retry-After', async () => {
  let shedHook = 0;
  const limiter = new InFlightLimiter(2, 3, { onShed: () => (shedHook += 1) });
  const first = gate<string>();
  const second = gate<string>();
  const a = limiter.run(() => first.promise);
  const b = limiter.run(() => second.promise);
  expect(limiter.inFlight).toBe(2);

  let ran = false;
  const refused = await limiter
    .run(async () => {
      ran = true;
    })
    .catch((e: unknown) => e);
  expect(ran).toBe(false); // refused before doing anything
  expect(refused).toBeInstanceOf(OverloadedError);
  expect(refused).toMatchObject({ code: 'OVERLOADED', retriable: true, retryAfterSeconds: 3 });
  expect((refused as Error).message).toMatch(/2 commands are in flight.*CAPACITY_GATEWAY_MAX_IN_FLIGHT/);
  expect([limiter.shed, shedHook]).toEqual([1, 1]);

  first.open('a');
  await expect(a).resolves.toBe('a');
  expect(limiter.inFlight).toBe(1);
  await expect(limiter.run(async () => 'c')).resolves.toBe('c'); // a slot is free again
  second.open('b');
  await expect(b).resolves.toBe('b');
  expect(limiter.inFlight).toBe(0);
});

test('a failing command releases its slot too', async () => {
  const limiter = new InFlightLimiter(1);
  await expect(limiter.run(async () => Promise.reject(new Error('send failed')))).rejects.toThrow(
    'send failed',
  );
  expect(limiter.inFlight).toBe(0);
  await expect(limiter.run(async () => 'next')).resolves.toBe('next');
});

test('a bound below 1 is a programming error', () => {
  expect(() => new InFlightLimiter(0)).toThrow(RangeError);
});
