// The command ids a task committed most recently, to drop a command record written twice. Gateways write
// commands with librdkafka's idempotent producer, which can still write a batch twice when it bumps its
// epoch (librdkafka issue 4953). Such a copy lands seconds after the original, on the same partition;
// deciding it again would answer one command twice, and differently when the first answer was a refusal
// (a reserve refused for lack of capacity, accepted when its copy comes after a release). Kept in memory
// only: a copy that straddles a takeover or a restart is decided again (the idempotency key still keeps a
// reservation from being made twice).
export class RecentCommands {
  private readonly ids = new Set<string>();
  private readonly order: string[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  has(commandId: string): boolean {
    return this.ids.has(commandId);
  }

  /** Remembers committed command ids, forgetting the oldest beyond the capacity. */
  add(commandIds: Iterable<string>): void {
    for (const id of commandIds) {
      if (this.ids.has(id)) continue;
      this.ids.add(id);
      this.order.push(id);
    }
    while (this.ids.size > this.capacity) this.ids.delete(this.order[this.head++] as string);
    if (this.head > this.capacity) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
