// The children of `capacity start`, supervised: each is restarted with backoff whenever it exits on its
// own (a crash, a failed start-up, a kill), and only `stop` (Ctrl-C or SIGTERM to `capacity start`) ends
// them for good: SIGTERM to each, SIGKILL to any still running after the grace period.
import { SupervisedChild, type ChildOptions, type ChildSpec } from './supervisedChild';

export type SupervisorOptions = Omit<ChildOptions, 'onHealthy'>;

export class Supervisor {
  private readonly children: SupervisedChild[];
  private allHealthyWaiters: Array<() => void> = [];
  private stopping: Promise<void> | null = null;

  constructor(
    specs: readonly ChildSpec[],
    private readonly options: SupervisorOptions,
  ) {
    this.children = specs.map(
      (spec) => new SupervisedChild(spec, { ...options, onHealthy: () => this.checkAllHealthy() }),
    );
  }

  start(): void {
    for (const child of this.children) child.start();
  }

  /** Resolves once every child has been healthy at least once (restarts in between are fine). */
  allHealthy(): Promise<void> {
    return new Promise((resolve) => {
      this.allHealthyWaiters.push(resolve);
      this.checkAllHealthy();
    });
  }

  /** Each child's current pid (undefined while it waits for a restart) and health. */
  status(): Array<{ name: string; pid: number | undefined; healthy: boolean; logFile: string }> {
    return this.children.map((c) => ({ name: c.name, pid: c.pid, healthy: c.healthy, logFile: c.logFile }));
  }

  /** Stops every child for good: SIGTERM, then SIGKILL to those still running after `graceMs`. */
  stop(graceMs = 30_000): Promise<void> {
    this.stopping ??= this.stopAll(graceMs);
    return this.stopping;
  }

  /** SIGKILL to every child still running (a second Ctrl-C while stopping). */
  killNow(): void {
    for (const child of this.children) child.kill();
  }

  private async stopAll(graceMs: number): Promise<void> {
    const exited = Promise.all(this.children.map((child) => child.terminate()));
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    if ((await Promise.race([exited, graceOver])) === 'timeout') {
      const running = this.children.filter((c) => c.pid !== undefined).map((c) => c.name);
      this.options.say(`still running after ${graceMs / 1000} s: ${running.join(', ')}; sending SIGKILL`);
      this.killNow();
      await exited;
    }
    clearTimeout(timer);
    await Promise.all(this.children.map((child) => child.closeLog()));
  }

  private checkAllHealthy(): void {
    if (!this.children.every((c) => c.everHealthy)) return;
    for (const resolve of this.allHealthyWaiters.splice(0)) resolve();
  }
}
