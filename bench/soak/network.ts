// Test hosts for the soak: one Linux network namespace per processor, joined to the machine by a veth pair
// on a private bridge. The brokers and the registry listen on the bridge's address, so every process (in a
// namespace or not) reaches them there; no traffic leaves the machine. A partition is the host end of one
// veth set down: the processor keeps running and retrying, its packets go nowhere, and no RST tells it so,
// exactly as when a switch port dies. Healing sets the link up again. Everything carries the soak's prefix
// and is removed at the end (and before a run, in case an earlier one was killed). Needs root (CAP_NET_ADMIN).
import { execFileSync } from 'node:child_process';

const PREFIX = 'capsoak';
const BRIDGE = `${PREFIX}0`;
const SUBNET = '10.77.0';
/** The bridge's address: where the brokers, the registry and the processors' health ports are reached. */
export const BRIDGE_ADDRESS = `${SUBNET}.1`;

export interface TestHost {
  /** Network namespace a process is started in (`ip netns exec <netns> node …`, which execs: same pid). */
  readonly netns: string;
  /** The host's address on the bridge: its processor's health port listens there. */
  readonly address: string;
  /** Host end of its veth pair: down = cut off. */
  readonly link: string;
}

function ip(...args: string[]): string {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`ip ${args.join(' ')} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

const tryIp = (...args: string[]) => {
  try {
    ip(...args);
  } catch {
    // already gone
  }
};

/** Removes every namespace, veth and bridge a soak made (by name prefix); nothing else. */
export function removeTestHosts(): void {
  for (const line of ip('netns', 'list').split('\n')) {
    const name = line.split(' ')[0] ?? '';
    if (name.startsWith(`${PREFIX}-`)) tryIp('netns', 'delete', name);
  }
  for (const line of ip('-o', 'link', 'show').split('\n')) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    if (name?.startsWith(PREFIX)) tryIp('link', 'delete', name);
  }
}

/** Creates the bridge (with BRIDGE_ADDRESS) and `count` hosts on it; fails clearly without the rights. */
export function createTestHosts(count: number): TestHost[] {
  if (process.getuid?.() !== 0)
    throw new Error(
      'the soak makes network namespaces (ip netns add) to partition processors: run it as root',
    );
  removeTestHosts();
  ip('link', 'add', BRIDGE, 'type', 'bridge');
  ip('addr', 'add', `${BRIDGE_ADDRESS}/24`, 'dev', BRIDGE);
  ip('link', 'set', BRIDGE, 'up');
  const hosts: TestHost[] = [];
  for (let i = 0; i < count; i++) {
    const host: TestHost = {
      netns: `${PREFIX}-p${i}`,
      address: `${SUBNET}.${10 + i}`,
      link: `${PREFIX}-h${i}`,
    };
    const inner = `${PREFIX}-n${i}`;
    ip('netns', 'add', host.netns);
    ip('link', 'add', host.link, 'type', 'veth', 'peer', 'name', inner, 'netns', host.netns);
    ip('link', 'set', host.link, 'master', BRIDGE, 'up');
    ip('-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', inner);
    ip('-n', host.netns, 'link', 'set', inner, 'up');
    ip('-n', host.netns, 'link', 'set', 'lo', 'up');
    hosts.push(host);
  }
  return hosts;
}

/** Cuts the host off the bridge: its processes keep running, but reach nothing and are reached by nothing. */
export function cutOff(host: TestHost): void {
  ip('link', 'set', host.link, 'down');
}

export function heal(host: TestHost): void {
  ip('link', 'set', host.link, 'up');
}
