import { describeExit, formatDuration, OutputTail, RestartBackoff, summarizeLogLine } from '../../../src/cli';

test('restart delays double from 0.5 s up to 30 s', () => {
  const backoff = new RestartBackoff();
  const delays = Array.from({ length: 9 }, () => backoff.next(0));
  expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  expect(backoff.restarts).toBe(9);
});

test('a child healthy for a minute before it exits starts again from 0.5 s', () => {
  const backoff = new RestartBackoff();
  backoff.next(0);
  backoff.next(0);
  expect(backoff.next(59_999)).toBe(2000); // not healthy long enough: keeps growing
  expect(backoff.next(60_000)).toBe(500);
  expect(backoff.restarts).toBe(1);
});

test('exits are described by code or signal', () => {
  expect(describeExit(1, null)).toBe('exit code 1');
  expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
  expect(describeExit(null, null)).toBe('exited');
});

test('durations read naturally', () => {
  expect(formatDuration(500)).toBe('0.5 s');
  expect(formatDuration(30_000)).toBe('30 s');
  expect(formatDuration(185_000)).toBe('3 min 5 s');
});

test('pino lines become level, message and error; other lines stay; long lines are cut', () => {
  const pino = JSON.stringify({
    level: 50,
    time: 1,
    component: 'processor',
    msg: 'cycle failed',
    err: 'boom',
  });
  expect(summarizeLogLine(pino)).toBe('ERROR cycle failed: boom');
  const plain = 'capacity: PORT_IN_USE: metrics port 9465 on 127.0.0.1 is already in use';
  expect(summarizeLogLine(plain)).toBe(plain);
  expect(summarizeLogLine('x'.repeat(500), 100)).toHaveLength(100);
  expect(summarizeLogLine('{not json')).toBe('{not json');
});

test('the output tail keeps the last lines across chunk boundaries', () => {
  const tail = new OutputTail(2);
  tail.push('one\ntw');
  tail.push('o\n\nthree\nfo');
  expect(tail.last(3)).toEqual(['two', 'three', 'fo']); // 2 complete lines kept, and the partial one
  expect(tail.last()).toEqual(['three', 'fo']);
  tail.clear();
  expect(tail.last()).toEqual([]);
});
