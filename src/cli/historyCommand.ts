// `capacity history <poolId> [--as-of <ISO time>] [--json]`: a pool's events, or the pool as it was at an
// instant, from the gateway's HTTP API (which asks the warehouse connector, ADR 12). Sends CAPACITY_API_KEY,
// or the local planner key `capacity start` keeps in the state directory.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config';
import { CapacityError, ConfigError } from '../errors';
import type { HistoryResponse, PoolAsOfResponse } from '../gateway';
import { formatAsOf, formatHistory } from './historyFormat';
import type { LocalKey } from './localKeys';
import type { CliContext } from './main';

interface HistoryOptions {
  readonly asOf?: string;
  readonly json: boolean;
  readonly limit?: string;
  readonly url?: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** The API key to send: CAPACITY_API_KEY, else the local planner key, else none (the gateway says 401). */
export function apiKeyFor(config: Config): { key: string | null; source: string } {
  if (config.apiKey) return { key: config.apiKey, source: 'CAPACITY_API_KEY' };
  const file = join(config.stateDir, 'local-api-keys.json');
  if (existsSync(file)) {
    const keys = JSON.parse(readFileSync(file, 'utf8')) as LocalKey[];
    const planner = keys.find((k) => k.role === 'planner');
    if (planner) return { key: planner.key, source: `the local planner key in ${file}` };
  }
  return { key: null, source: `no key (set CAPACITY_API_KEY, or run capacity start, which writes ${file})` };
}

/** The gateway's base URL: --url, else CAPACITY_HTTP_HOST:CAPACITY_HTTP_PORT (a wildcard host as loopback). */
export function gatewayUrl(config: Config, url?: string): string {
  if (url) return url.replace(/\/+$/, '');
  const host = /^(0\.0\.0\.0|::|\[::\])$/.test(config.httpHost) ? '127.0.0.1' : config.httpHost;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${config.httpPort}`;
}

/** GET `path` from the gateway; a problem answer becomes an error in its words (code, detail, status). */
export async function getFromGateway(
  base: string,
  path: string,
  key: string | null,
  keySource: string,
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      headers: key ? { 'x-api-key': key } : {},
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CapacityError(
      'UNAVAILABLE',
      `could not reach the gateway at ${base} (${cause}); is capacity start (or capacity gateway) running? ` +
        'Set CAPACITY_HTTP_PORT or --url to point at it',
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return body;
  const problem = (body ?? {}) as { code?: string; title?: string; detail?: string };
  const code = problem.code ?? `HTTP_${response.status}`;
  const hint = response.status === 401 || response.status === 403 ? ` (sent ${keySource})` : '';
  throw new CapacityError(
    code,
    `${problem.title ?? 'Error'}: ${problem.detail ?? response.statusText} (HTTP ${response.status})${hint}`,
  );
}

export function registerHistoryCommand(program: Command, context: CliContext): void {
  program
    .command('history <poolId>')
    .description(
      "print a pool's events from the warehouse (version, time, type, details, command id), or with --as-of the pool as it was then; through the gateway's API",
    )
    .option(
      '--as-of <time>',
      'ISO-8601 date-time with a zone (e.g. 2026-12-01T10:42:00Z): the pool as it was then',
    )
    .option('--limit <n>', 'the newest n events at most (default 1000)')
    .option('--json', "print the gateway's answer as JSON", false)
    .option('--url <url>', 'the gateway (default http://CAPACITY_HTTP_HOST:CAPACITY_HTTP_PORT)')
    .action(async (poolId: string, options: HistoryOptions) => {
      const config = context.config();
      if (
        options.asOf !== undefined &&
        !(ISO_TIME.test(options.asOf) && !Number.isNaN(Date.parse(options.asOf)))
      )
        throw new ConfigError(
          `--as-of: must be an ISO-8601 date-time with a zone, e.g. 2026-12-01T10:42:00Z (got ${JSON.stringify(options.asOf)})`,
        );
      if (options.limit !== undefined && !/^[1-9]\d{0,4}$/.test(options.limit))
        throw new ConfigError(
          `--limit: must be a whole number from 1 (got ${JSON.stringify(options.limit)})`,
        );
      const { key, source } = apiKeyFor(config);
      const base = gatewayUrl(config, options.url);
      const pool = encodeURIComponent(poolId);
      const path =
        options.asOf !== undefined
          ? `/v1/pools/${pool}?asOf=${encodeURIComponent(options.asOf)}`
          : `/v1/pools/${pool}/history${options.limit ? `?limit=${options.limit}` : ''}`;
      const answer = await getFromGateway(base, path, key, source);
      if (options.json) return context.out(JSON.stringify(answer, null, 2));
      const lines =
        options.asOf !== undefined
          ? formatAsOf(answer as PoolAsOfResponse)
          : formatHistory(answer as HistoryResponse);
      for (const line of lines) context.out(line);
    });
}
