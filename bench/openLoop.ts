// Open-loop HTTP load generator. Requests are scheduled at a fixed offered rate (request n is due at
// start + n/rate) and sent when due whatever earlier requests are doing; each latency is measured from
// the request's SCHEDULED time, so a stalled server (or a stalled generator) shows up as latency instead
// of silently lowering the load (no coordinated omission). Outstanding requests are capped far above
// normal (rate x latency); a due request that cannot be sent because of the cap is counted as `notSent`,
// a failure. Bounded in count (rate x duration) and time (per-request timeout). Loopback only.
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';

export interface PlannedRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface OpenLoopOptions {
  /** Port on 127.0.0.1. */
  readonly port: number;
  /** Offered requests per second. */
  readonly rate: number;
  /** Length of the measured window. */
  readonly seconds: number;
  /** Requests scheduled before the window at the same rate; sent, but not counted or recorded. */
  readonly warmupSeconds: number;
  /** Cap on requests in flight (also the agent's socket limit, so the agent never queues). */
  readonly maxOutstanding: number;
  /** A request without a complete response this long after it was sent is aborted: `timeouts`. */
  readonly timeoutMs: number;
  /** The n-th request (n counts from 0, warm-up included). */
  readonly request: (n: number) => PlannedRequest;
  /**
   * Called once per request (warm-up included, `measured` false), with its outcome and times; when set,
   * response bodies are read and passed on (for the caller's own per-request analysis).
   */
  readonly onComplete?: (completion: Completion) => void;
}

/** One request's fate, times from `performance.now()` (the same clock as the caller's). */
export interface Completion {
  readonly n: number;
  readonly measured: boolean;
  /** When it was due (latency counts from here). */
  readonly dueAt: number;
  /** When its answer was complete, or it failed; for `notSent`, when it was due to be sent. */
  readonly endAt: number;
  /** HTTP status, or what happened instead. */
  readonly outcome: number | 'error' | 'timeout' | 'notSent';
  /** The response body (only when `onComplete` is set and a response came). */
  readonly body: string | null;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface OpenLoopResult {
  readonly offeredPerSec: number;
  /** 2xx answers to requests due in the window, per second of max(window, window start to last 2xx). */
  readonly achievedPerSec: number;
  /** Requests due in the measured window. */
  readonly scheduled: number;
  readonly seconds: number;
  /** Responses by HTTP status (only requests of the measured window). */
  readonly byStatus: Readonly<Record<string, number>>;
  readonly ok: number;
  /** 409: pool full (INSUFFICIENT_CAPACITY) or another conflict. */
  readonly conflict: number;
  /** 503: shed or unavailable. */
  readonly shed: number;
  /** 504: the server's own timeout (e.g. the gateway waiting for a command result). */
  readonly serverTimeout: number;
  /** Any other status (4xx, 500...). */
  readonly otherStatus: number;
  /** Connection errors (refused, reset...). */
  readonly errors: number;
  /** Aborted by the generator after `timeoutMs`. */
  readonly timeouts: number;
  /** Due but not sent: `maxOutstanding` requests were already in flight. */
  readonly notSent: number;
  /** Everything that was not a 2xx answer. */
  readonly failed: number;
  /** Latency from the scheduled time: of 2xx answers, and separately of 503 answers. */
  readonly latency: { readonly ok: LatencySummary; readonly shed: LatencySummary };
  /** Largest delay between a request's due time and its send (the generator's own lag). */
  readonly maxSendLagMs: number;
  readonly peakOutstanding: number;
}

const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
  };
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { rate, port, timeoutMs } = options;
  if (!(rate > 0)) throw new RangeError(`rate must be > 0 (got ${rate})`);
  const agent = new Agent({
    keepAlive: true,
    maxSockets: options.maxOutstanding,
    maxFreeSockets: options.maxOutstanding,
    scheduling: 'lifo',
  });
  const okLatency = newHistogram();
  const shedLatency = newHistogram();
  const byStatus: Record<string, number> = {};
  const count = { errors: 0, timeouts: 0, notSent: 0 };
  const warmupCount = Math.round(rate * options.warmupSeconds);
  const total = warmupCount + Math.round(rate * options.seconds);
  const intervalMs = 1000 / rate;
  let outstanding = 0;
  let peakOutstanding = 0;
  let maxSendLagMs = 0;
  let lastOk = 0;
  let allScheduled = false;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const finishOne = () => {
    outstanding--;
    if (allScheduled && outstanding === 0) settle();
  };

  const send = (n: number, dueAt: number, now: number): void => {
    const measured = n >= warmupCount;
    if (outstanding >= options.maxOutstanding) {
      if (measured) count.notSent++;
      options.onComplete?.({ n, measured, dueAt, endAt: now, outcome: 'notSent', body: null });
      return;
    }
    maxSendLagMs = Math.max(maxSendLagMs, now - dueAt);
    outstanding++;
    peakOutstanding = Math.max(peakOutstanding, outstanding);
    const planned = options.request(n);
    const headers: Record<string, string> = { ...planned.headers };
    if (planned.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(Buffer.byteLength(planned.body));
    }
    let done = false;
    const chunks: Buffer[] | null = options.onComplete ? [] : null;
    const complete = (outcome: number | 'error' | 'timeout') => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const end = performance.now();
      options.onComplete?.({
        n,
        measured,
        dueAt,
        endAt: end,
        outcome,
        body: chunks && typeof outcome === 'number' ? Buffer.concat(chunks).toString('utf8') : null,
      });
      if (measured) {
        const latencyUs = Math.max(1, Math.round((end - dueAt) * 1000));
        if (outcome === 'error') count.errors++;
        else if (outcome === 'timeout') count.timeouts++;
        else {
          byStatus[outcome] = (byStatus[outcome] ?? 0) + 1;
          if (outcome >= 200 && outcome < 300) {
            okLatency.recordValue(latencyUs);
            lastOk = Math.max(lastOk, end);
          } else if (outcome === 503) shedLatency.recordValue(latencyUs);
        }
      }
      finishOne();
    };
    const req = httpRequest(
      { agent, host: '127.0.0.1', port, method: planned.method, path: planned.path, headers },
      (response) => {
        response.on('error', () => complete('error'));
        response.on('end', () => complete(response.statusCode ?? 0));
        if (chunks) response.on('data', (chunk: Buffer) => chunks.push(chunk));
        else response.resume();
      },
    );
    const timer = setTimeout(() => {
      complete('timeout');
      req.destroy();
    }, timeoutMs);
    req.on('error', () => complete('error'));
    req.end(planned.body);
  };

  const started = performance.now();
  const windowStart = started + warmupCount * intervalMs;
  await new Promise<void>((resolve) => {
    let next = 0;
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) / intervalMs) + 1);
      for (; next < due; next++) send(next, started + next * intervalMs, now);
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  allScheduled = true;
  if (outstanding > 0) await settled;
  agent.destroy();

  const status = (code: number) => byStatus[String(code)] ?? 0;
  const answered = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const ok = Object.entries(byStatus)
    .filter(([code]) => code.startsWith('2'))
    .reduce((a, [, n]) => a + n, 0);
  const [conflict, shed, serverTimeout] = [status(409), status(503), status(504)];
  const elapsedSeconds = Math.max(options.seconds, (lastOk - windowStart) / 1000);
  return {
    offeredPerSec: rate,
    achievedPerSec: Math.round((ok / elapsedSeconds) * 10) / 10,
    scheduled: total - warmupCount,
    seconds: options.seconds,
    byStatus,
    ok,
    conflict,
    shed,
    serverTimeout,
    otherStatus: answered - ok - conflict - shed - serverTimeout,
    ...count,
    failed: total - warmupCount - ok,
    latency: { ok: summarize(okLatency), shed: summarize(shedLatency) },
    maxSendLagMs: Math.round(maxSendLagMs * 10) / 10,
    peakOutstanding,
  };
}
