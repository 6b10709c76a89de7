// Load shedding for write commands: at most `max` commands per gateway wait for their results at once.
// Past the bound a request is refused at once (OverloadedError, 503 + Retry-After) instead of queueing
// behind the others for seconds; reads from the read model never pass through here.
import { OverloadedError } from '../errors';

export interface InFlightLimiterHooks {
  /** Called for every refused request (a metric). */
  readonly onShed?: () => void;
}

export class InFlightLimiter {
  private current = 0;
  private shedCount = 0;

  constructor(
    readonly max: number,
    /** What a refused client is told to wait before retrying. */
    readonly retryAfterSeconds = 1,
    private readonly hooks: InFlightLimiterHooks = {},
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`);
  }

  /** Commands running now. */
  get inFlight(): number {
    return this.current;
  }

  /** Requests refused since start. */
  get shed(): number {
    return this.shedCount;
  }

  /** Runs `work` in a free slot, releasing it however `work` ends; throws OverloadedError when full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.current >= this.max) {
      this.shedCount += 1;
      this.hooks.onShed?.();
      throw new OverloadedError(
        `${this.current} commands are in flight, the most this gateway takes (CAPACITY_GATEWAY_MAX_IN_FLIGHT); retry after ${this.retryAfterSeconds} s`,
        this.retryAfterSeconds,
        { inFlight: this.current, max: this.max },
      );
    }
    this.current += 1;
    try {
      return await work();
    } finally {
      this.current -= 1;
    }
  }
}
