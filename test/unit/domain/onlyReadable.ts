// A reservations record that allows reading one key and throws on anything else (other keys,
// enumeration): proves `decide` looks up only the reservation a command names.
import type { PoolState } from '../../../src/domain';

type Reservations = PoolState['reservations'];

export function onlyReadable(reservations: Reservations, allowedKey: string): Reservations {
  const refuse = (what: string): never => {
    throw new Error(`decide touched reservations beyond ${allowedKey}: ${what}`);
  };
  return new Proxy(reservations, {
    get(target, key) {
      if (key !== allowedKey) refuse(`get ${String(key)}`);
      return target[allowedKey];
    },
    has(target, key) {
      if (key !== allowedKey) refuse(`has ${String(key)}`);
      return allowedKey in target;
    },
    ownKeys: () => refuse('ownKeys'),
    getOwnPropertyDescriptor: (_target, key) => refuse(`getOwnPropertyDescriptor ${String(key)}`),
  });
}
