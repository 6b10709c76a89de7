// The live feed of a zone and week: the gateway's SSE stream read with fetch (EventSource cannot send the
// credential header). Reconnects with backoff after a drop; gives up on 401/403, which retrying cannot fix.
import { credentialHeaders, errorOf } from './api';
import { SseParser, type SseMessage } from './sseParser';

export type StreamState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'retrying'; readonly reason: string; readonly inMs: number }
  | { readonly kind: 'refused'; readonly reason: string };

export interface StreamHandlers {
  onMessage(message: SseMessage): void;
  onState(state: StreamState): void;
}

/** Opens the stream; the returned function closes it for good. */
export function openStream(url: string, credential: string, handlers: StreamHandlers): () => void {
  const abort = new AbortController();
  let attempt = 0;

  const run = async (): Promise<void> => {
    while (!abort.signal.aborted) {
      handlers.onState({ kind: 'connecting' });
      let reason: string;
      try {
        const response = await fetch(url, {
          headers: { ...credentialHeaders(credential), accept: 'text/event-stream' },
          signal: abort.signal,
          cache: 'no-store',
        });
        if (!response.ok || !response.body) {
          const error = await errorOf(response);
          if (response.status === 401 || response.status === 403 || response.status === 400) {
            handlers.onState({ kind: 'refused', reason: error.message });
            return;
          }
          throw error;
        }
        handlers.onState({ kind: 'open' });
        attempt = 0;
        const parser = new SseParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const message of parser.push(value)) handlers.onMessage(message);
        }
        reason = 'the gateway ended the stream';
      } catch (error) {
        if (abort.signal.aborted) return;
        reason = error instanceof Error ? error.message : String(error);
      }
      const inMs = Math.min(10_000, 500 * 2 ** attempt++);
      handlers.onState({ kind: 'retrying', reason, inMs });
      await new Promise((resolve) => setTimeout(resolve, inMs));
    }
  };
  void run();
  return () => abort.abort();
}
