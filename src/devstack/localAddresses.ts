// Which hosts the local stack may listen on: loopback, or an address assigned to one of this machine's own
// network interfaces (a bridge that network namespaces reach the brokers through, e.g. 10.77.0.1). Binding
// to anything else either fails in the JVM with a bare "Cannot assign requested address" or, for a wildcard
// like 0.0.0.0, exposes the stack and advertises an address no client can dial; both are refused up front
// with the setting's name instead.
import { networkInterfaces } from 'node:os';
import { ConfigError } from '../errors';

/** Names that mean loopback whether or not an interface lists them. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '::1'];

/** A host as written in a setting, without IPv6 brackets ("[::1]" -> "::1"). */
export function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The addresses the stack may bind: loopback plus every address of a local interface (pure). */
export function localAddresses(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): ReadonlySet<string> {
  const addresses = new Set(LOOPBACK_NAMES);
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) addresses.add(entry.address);
  }
  return addresses;
}

/**
 * Throws a ConfigError naming `setting` unless `host` is one of `local`. `what` says which value it was
 * (e.g. "broker 2 is 10.0.0.9:9093"), so the message points at the exact entry to change.
 */
export function checkLocalHost(
  setting: string,
  host: string,
  what: string,
  local: ReadonlySet<string>,
): void {
  if (local.has(bareHost(host))) return;
  const offered = [...local].filter((a) => a !== 'localhost' && !a.startsWith('fe80:')).join(', ');
  throw new ConfigError(
    `${setting}: the local stack listens only on this machine's own addresses (loopback or an address of a ` +
      `local interface: ${offered}), but ${what}; unset ${setting} or use one of those addresses`,
  );
}
