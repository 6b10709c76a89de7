// API keys for one benchmark run: the service runs with access control on, as deployed; the load sends
// the orders key, availability reads the reader key, pool definitions the planner key. (The row-lock baseline ignores the header.)
import { formatApiKeySpec, generateApiKey } from '../src/auth';

const planner = generateApiKey('bench-planner', 'planner');
const orders = generateApiKey('bench-orders', 'orders');
const reader = generateApiKey('bench-reader', 'reader');
const keys = { planner, orders, reader };

/** Environment of a bench gateway: the two keys' hashes. */
export const BENCH_AUTH_ENV = {
  CAPACITY_API_KEYS: Object.values(keys)
    .map((k) => formatApiKeySpec(k.spec))
    .join(','),
};

export const benchKeyHeader = (role: keyof typeof keys): Record<string, string> => ({
  'x-api-key': keys[role].key,
});
