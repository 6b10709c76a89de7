// Server-sent events for the planner console: the wire encoding, and a per-connection buffer that stays
// bounded however slow the reader is.

/** One SSE event: `event:` and one `data:` line per line of the JSON (JSON.stringify has none, but a
 * newline in data would otherwise end the event early), ended by a blank line. */
export function encodeSseEvent(event: string, data: unknown, id?: string): string {
  if (/[\r\n]/.test(event) || (id !== undefined && /[\r\n]/.test(id)))
    throw new Error('SSE event names and ids must be single lines');
  const lines = JSON.stringify(data)
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines}\n`;
}

/** A comment line: ignored by SSE parsers, it keeps proxies and the client's idle timers from closing. */
export const sseComment = (text: string): string => `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;

/** The writable side of a response (express Response has this shape). */
export interface SseSink {
  /** False when the socket's buffer is full: wait for 'drain' before writing more. */
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/**
 * Writes events straight through while the socket accepts them. While it is congested, keeps only the
 * newest chunk per key (a pool's latest state supersedes its older ones; one status, one keep-alive), so
 * memory is bounded by the pools in the stream's range. Past `maxPending` keys the reader is hopelessly
 * behind: `onOverflow` ends the connection and the client reconnects to a fresh snapshot.
 */
export class CoalescingStream {
  private readonly pending = new Map<string, string>();
  private congested = false;
  private closed = false;

  constructor(
    private readonly sink: SseSink,
    private readonly maxPending: number,
    private readonly onOverflow: () => void,
  ) {}

  /** Chunks waiting for the socket to drain. */
  get backlog(): number {
    return this.pending.size;
  }

  send(key: string, chunk: string): void {
    if (this.closed) return;
    if (!this.congested) {
      if (!this.sink.write(chunk)) this.waitForDrain();
      return;
    }
    // Re-inserting moves the key to the end: chunks go out in the order of their newest versions.
    this.pending.delete(key);
    this.pending.set(key, chunk);
    if (this.pending.size > this.maxPending) {
      this.close();
      this.onOverflow();
    }
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
  }

  private waitForDrain(): void {
    this.congested = true;
    this.sink.once('drain', () => this.flush());
  }

  private flush(): void {
    this.congested = false;
    for (const [key, chunk] of this.pending) {
      if (this.closed) return;
      this.pending.delete(key);
      if (!this.sink.write(chunk)) {
        this.waitForDrain();
        return;
      }
    }
  }
}
