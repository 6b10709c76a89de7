// Fixed API keys for tests (never used outside them): one per role, and the CAPACITY_API_KEYS that
// configures a gateway with them.
import { formatApiKeySpec, hashApiKey, type Role } from '../../src/auth';

export const TEST_KEYS: Readonly<Record<Role, string>> = {
  reader: 'cap_test-reader-key-0000000000000000000000000000',
  orders: 'cap_test-orders-key-0000000000000000000000000000',
  planner: 'cap_test-planner-key-000000000000000000000000000',
};

/** CAPACITY_API_KEYS with the three test keys, named test-<role>. */
export function testKeysEnv(): Record<string, string> {
  const specs = (Object.entries(TEST_KEYS) as Array<[Role, string]>).map(([role, key]) =>
    formatApiKeySpec({ name: `test-${role}`, role, hash: hashApiKey(key) }),
  );
  return { CAPACITY_API_KEYS: specs.join(',') };
}

/** The X-API-Key header of the test key with `role`. */
export const keyHeader = (role: Role): Record<string, string> => ({ 'x-api-key': TEST_KEYS[role] });
