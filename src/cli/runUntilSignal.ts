import type { Logger } from '../observability';

/**
 * Runs a long-lived component until SIGTERM or SIGINT, then stops it gracefully and exits 0. A second
 * signal while stopping exits at once (1).
 */
export async function runUntilSignal(
  name: string,
  component: { start(): Promise<void>; stop(): Promise<void> },
  logger: Logger,
): Promise<void> {
  let stopping: Promise<void> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, `${name}: second signal, exiting now`);
      process.exit(1);
    }
    logger.info({ signal }, `${name}: stopping`);
    stopping = component.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, `${name}: error while stopping`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    await component.start();
  } catch (error) {
    await component.stop().catch(() => undefined);
    throw error;
  }
}
