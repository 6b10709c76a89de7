// The soak's fault schedule: rounds in which every kind of fault comes once, in an order drawn from the
// seeded random source, a few seconds apart, each on a victim drawn the same way. One fault at a time: it
// is inflicted, undone (restart, SIGCONT, link up, database started) and the service is given time to be
// whole again (every partition ready, every process answering) before the next. A process that exits
// without being told to is restarted, as a supervisor would, and reported.
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { postgresDown, postgresUp, stackBrokers, startBroker } from '../../src/devstack';
import { restart, waitAllReady, type Member, type SoakCluster } from './cluster';
import { cutOff, heal } from './network';
import type { Random } from './random';

export const FAULT_KINDS = [
  'processor-kill9',
  'processor-sigstop',
  'processor-sigterm',
  'gateway-kill9',
  'gateway-sigstop',
  'gateway-sigterm',
  'broker-kill9',
  'database-stop',
  'partition',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly target: string;
  /** performance.now() when it began and when it was undone; `recoveredAt` when all was ready again. */
  readonly startedAt: number;
  endedAt: number;
  recoveredAt: number | null;
  /** Wall-clock times of the same, to compare with the times processors stamp on events. */
  readonly startedWall: number;
  endedWall: number;
  /** partition: the isolated processor's `capacity-writer` header value. */
  readonly writer?: string;
  /** partition: when the isolated processor owned a ready task again after the heal (null: never). */
  rejoinedAt?: number | null;
}

export interface ScheduleOptions {
  /** No fault starts after this performance.now(). */
  readonly until: number;
  readonly sessionTimeoutMs: number;
  readonly recoveryTimeoutMs: number;
  readonly say: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writer id a processor stamps on its records (src/processor/processor.ts): host name and pid. */
const writerOf = (member: Member) => `${hostname()}/${member.process.pid}`;

export class FaultSchedule {
  readonly faults: FaultRecord[] = [];
  /** Processes that exited without a signal from the soak: kind, name, exit code. */
  readonly unexpectedExits: string[] = [];
  /**
   * Processors that exited 75 (their consumer failed for good, e.g. fenced as a static member after a
   * broker failover) and were started again, as their supervisor does: by design, reported, not a violation.
   */
  readonly requestedRestarts: string[] = [];
  private readonly signalled = new Set<number>();
  private say: (line: string) => void = () => undefined;

  constructor(
    private readonly cluster: SoakCluster,
    private readonly random: Random,
    readonly kinds: readonly FaultKind[] = FAULT_KINDS,
  ) {}

  async run(options: ScheduleOptions): Promise<void> {
    this.say = options.say;
    let round: FaultKind[] = [];
    for (;;) {
      await sleep(this.random.between(2000, 5000));
      if (performance.now() > options.until) return;
      if (round.length === 0) round = this.random.shuffle(this.kinds);
      const kind = round.shift() as FaultKind;
      await this.inflict(kind, options);
    }
  }

  private async inflict(kind: FaultKind, options: ScheduleOptions): Promise<void> {
    const { cluster, random } = this;
    const hold = options.sessionTimeoutMs + 3000;
    const begin = (target: string, writer?: string): FaultRecord => {
      const record: FaultRecord = {
        kind,
        target,
        startedAt: performance.now(),
        endedAt: 0,
        recoveredAt: null,
        startedWall: Date.now(),
        endedWall: 0,
        ...(writer ? { writer } : {}),
      };
      this.faults.push(record);
      options.say(`fault ${this.faults.length}: ${kind} of ${target}`);
      return record;
    };
    const end = (record: FaultRecord) => {
      record.endedAt = performance.now();
      record.endedWall = Date.now();
    };
    const [family, how] = kind.split('-') as [string, string];
    let record: FaultRecord;
    if (family === 'processor' || family === 'gateway') {
      const victim = random.pick(family === 'processor' ? cluster.processors : cluster.gateways);
      record = begin(victim.process.name);
      this.signalled.add(victim.process.pid);
      if (how === 'kill9') {
        victim.process.signal('SIGKILL');
        await victim.process.waitForExit(10_000);
        await sleep(random.between(1000, 3000));
        await restart(cluster, victim);
      } else if (how === 'sigterm') {
        victim.process.signal('SIGTERM');
        await victim.process.waitForExit(60_000);
        await restart(cluster, victim);
      } else {
        victim.process.signal('SIGSTOP');
        await sleep(hold);
        victim.process.signal('SIGCONT');
        this.signalled.delete(victim.process.pid);
      }
      end(record);
    } else if (kind === 'broker-kill9') {
      const brokers = stackBrokers(cluster.config).filter((b) => b.pid !== null);
      const broker = random.pick(brokers);
      record = begin(`kafka-${broker.nodeId}`);
      process.kill(broker.pid as number, 'SIGKILL');
      await sleep(random.between(3000, 8000));
      await startBroker(cluster.config, broker.nodeId, () => undefined);
      end(record);
    } else if (kind === 'database-stop') {
      record = begin('postgres');
      await postgresDown(cluster.config);
      await sleep(random.between(8000, 15_000));
      await postgresUp(cluster.config, () => undefined);
      end(record);
    } else {
      const victim = random.pick(cluster.processors);
      const host = victim.host;
      if (!host) throw new Error(`${victim.process.name} runs on no test host`);
      record = begin(`${victim.process.name} on ${host.netns}`, writerOf(victim));
      cutOff(host);
      await sleep(options.sessionTimeoutMs + 8000);
      heal(host);
      end(record);
      await this.recover(record, options);
      record.rejoinedAt = await this.rejoined(victim, options);
      if (record.rejoinedAt === null)
        options.say(`  ! ${victim.process.name} owns no ready task after the heal`);
      return;
    }
    await this.recover(record, options);
  }

  /**
   * When the processor cut off (or the one its supervisor started again, if it exited 75 meanwhile) owns a
   * ready task again; null if not within the recovery bound.
   */
  private async rejoined(victim: Member, options: ScheduleOptions): Promise<number | null> {
    const deadline = performance.now() + options.recoveryTimeoutMs;
    while (performance.now() < deadline) {
      if (victim.process.exitCode !== undefined) await this.restartExited(victim, 'partition');
      const tasks = (await victim.process.health())?.body.tasks ?? [];
      if (tasks.some((t) => t.state === 'ready')) return performance.now();
      await sleep(250);
    }
    return null;
  }

  /** Starts an exited process again, as its supervisor would, noting why it exited. */
  private async restartExited(member: Member, after: string): Promise<void> {
    const exit = member.process.exitSignal ?? member.process.exitCode;
    const where = `${member.process.name} (after fault ${this.faults.length}, ${after})`;
    if (member.kind === 'processor' && member.process.exitCode === 75) this.requestedRestarts.push(where);
    else if (!this.signalled.has(member.process.pid))
      this.unexpectedExits.push(`${where} exited with ${exit}`);
    this.say(`  ${member.process.name} exited (${exit}): starting it again`);
    await restart(this.cluster, member);
  }

  /** Restarts processes that exited by themselves, then waits until the service is whole (bounded). */
  private async recover(record: FaultRecord, options: ScheduleOptions): Promise<void> {
    const deadline = performance.now() + options.recoveryTimeoutMs;
    while (performance.now() < deadline) {
      for (const member of [...this.cluster.processors, ...this.cluster.gateways, this.cluster.connector]) {
        if (member.process.exitCode === undefined) continue;
        await this.restartExited(member, record.kind);
      }
      try {
        await waitAllReady(this.cluster, Math.min(5000, Math.max(1000, deadline - performance.now())));
        record.recoveredAt = performance.now();
        options.say(`  whole again after ${Math.round((record.recoveredAt - record.endedAt) / 100) / 10} s`);
        return;
      } catch {
        // not yet: look for exited processes again
      }
    }
    options.say(`  ! not whole again within ${options.recoveryTimeoutMs / 1000} s of the fault's end`);
  }
}
