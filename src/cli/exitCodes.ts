// Exit codes of every `capacity` command, in one place: a supervisor (or a script) can tell why it stopped.
import { CapacityError } from '../errors';

/** Something failed (the message says what). */
export const EXIT_FAILED = 1;
/** An environment variable or option has an invalid value. */
export const EXIT_CONFIG_INVALID = 2;
/** A port this process must listen on is taken; the message names the port and the setting that moves it. */
export const EXIT_PORT_IN_USE = 4;

/**
 * A processor's consumer failed for good (e.g. a static member fenced after a broker failover): start it
 * again, it rejoins with the same instance id. EX_TEMPFAIL of sysexits.h.
 */
export const EXIT_RESTART_NEEDED = 75;

/** The exit code for an error that ended a command. */
export function exitCodeFor(error: unknown): number {
  if (!(error instanceof CapacityError)) return EXIT_FAILED;
  if (error.code === 'CONFIG_INVALID') return EXIT_CONFIG_INVALID;
  if (error.code === 'PORT_IN_USE') return EXIT_PORT_IN_USE;
  return EXIT_FAILED;
}
