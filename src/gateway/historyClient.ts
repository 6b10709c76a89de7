// The gateway's side of pool history (ADR 12): asks the warehouse connector's internal endpoint
// (CAPACITY_HISTORY_URL) after the gateway's own access control, checks the answer's shape, and maps every
// way it can fail to a problem in words: 503 naming the connector and the setting when it cannot answer,
// 404 for a pool the warehouse does not hold, 400 for a parameter it refused.
import type { z } from 'zod';
import { HttpProblem, RETRY_AFTER_SECONDS } from './problems';
import {
  historyResponseChecked,
  poolAsOfResponse,
  type HistoryResponse,
  type PoolAsOfResponse,
} from './historySchemas';

/** What answers the history routes: the connector over HTTP, or a fake in unit tests. */
export interface PoolHistorySource {
  history(poolId: string, limit: number | undefined): Promise<HistoryResponse>;
  asOf(poolId: string, asOf: string): Promise<PoolAsOfResponse>;
}

const SETTING = 'CAPACITY_HISTORY_URL';

const unavailable = (detail: string) =>
  new HttpProblem(503, 'HISTORY_UNAVAILABLE', detail, {}, { 'retry-after': String(RETRY_AFTER_SECONDS) });

/** The gateway without CAPACITY_HISTORY_URL: every history read says what to set. */
export const unconfiguredHistory: PoolHistorySource = {
  history: () => Promise.reject(notConfigured()),
  asOf: () => Promise.reject(notConfigured()),
};

function notConfigured(): HttpProblem {
  return unavailable(
    `pool history comes from the warehouse connector, and this gateway has no ${SETTING}: set it to the ` +
      "connector's metrics URL (capacity start does), e.g. http://127.0.0.1:9466",
  );
}

export class ConnectorHistory implements PoolHistorySource {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  history(poolId: string, limit: number | undefined): Promise<HistoryResponse> {
    const query = limit === undefined ? '' : `?limit=${limit}`;
    return this.get(
      `/history/${encodeURIComponent(poolId)}${query}`,
      historyResponseChecked,
    ) as Promise<HistoryResponse>;
  }

  asOf(poolId: string, asOf: string): Promise<PoolAsOfResponse> {
    return this.get(
      `/history/${encodeURIComponent(poolId)}?asOf=${encodeURIComponent(asOf)}`,
      poolAsOfResponse,
    );
  }

  private async get<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const where = `the warehouse connector at ${this.baseUrl} (${SETTING})`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `did not answer within ${this.timeoutMs} ms`
          : `could not be reached (${cause?.code ?? cause?.message ?? (error as Error).message})`;
      throw unavailable(`pool history: ${where} ${reason}; is \`capacity connector\` running?`);
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) {
      const parsed = schema.safeParse(body);
      if (parsed.success) return parsed.data;
      throw unavailable(
        `pool history: ${where} answered in an unexpected shape: ${parsed.error.issues[0]?.message}`,
      );
    }
    const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
    const detail = typeof problem.detail === 'string' ? problem.detail : `HTTP ${response.status}`;
    if (response.status === 404 && problem.code === 'POOL_NOT_FOUND')
      throw new HttpProblem(404, 'POOL_NOT_FOUND', detail);
    if (response.status === 404)
      throw unavailable(
        `pool history: ${where} does not serve pool history (is it a connector of this version?)`,
      );
    if (response.status === 400) throw new HttpProblem(400, 'INVALID_REQUEST', detail);
    throw unavailable(`pool history: ${where} could not answer: ${detail}`);
  }
}
