// SASL/SCRAM for the local stack's broker (`capacity stack up --sasl`). The credentials are chosen once, when
// the broker's storage is formatted (SCRAM users live in the KRaft metadata log, added by `--add-scram`), and
// recorded in the stack's data folder as CAPACITY_SASL_* lines: the file the service reads its settings from
// (`set -a; . <file>; set +a`) and the stack reads its own health probe's login from. Rendering and parsing
// are pure; the two file functions at the end are the only I/O.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Config } from '../config';
import { ConfigError } from '../errors';

/** The one mechanism the local stack offers: the strongest Kafka's SCRAM has, and what production uses. */
export const STACK_SASL_MECHANISM = 'scram-sha-512';

export interface StackSaslCredentials {
  readonly mechanism: typeof STACK_SASL_MECHANISM;
  readonly username: string;
  readonly password: string;
}

export const DEFAULT_STACK_SASL_USER = 'capacity';

// The values travel unquoted through three parsers: the storage tool's `[name=…,password=…]` (splits on ','
// and the first '='), a JAAS line (inside double quotes) and a shell-sourced env file. This set means none
// of them needs escaping; SCRAM's own name escaping (',' and '=') is never needed either.
const SAFE = /^[A-Za-z0-9._~@%+-]{1,128}$/;

function checkSafe(variable: string, value: string): void {
  if (!SAFE.test(value)) {
    throw new ConfigError(
      `${variable}: the local stack's SCRAM user needs 1-128 of letters, digits and . _ ~ @ % + - ` +
        '(unset it to have the stack generate one)',
    );
  }
}

/**
 * The credentials a new SASL stack is formatted with: the service's own CAPACITY_SASL_* when they name a
 * SCRAM-SHA-512 user (so a chosen password works as configured), otherwise user `capacity` with a
 * generated password.
 */
export function chooseStackCredentials(
  sasl: Config['sasl'],
  generatePassword: () => string = () => randomBytes(24).toString('base64url'),
): StackSaslCredentials {
  if (sasl === null) {
    return {
      mechanism: STACK_SASL_MECHANISM,
      username: DEFAULT_STACK_SASL_USER,
      password: generatePassword(),
    };
  }
  if (sasl.mechanism !== STACK_SASL_MECHANISM) {
    throw new ConfigError(
      `CAPACITY_SASL_MECHANISM: the local stack's broker offers ${STACK_SASL_MECHANISM} only, not ` +
        `${sasl.mechanism}; set it to ${STACK_SASL_MECHANISM} or unset CAPACITY_SASL_* to have a user generated`,
    );
  }
  checkSafe('CAPACITY_SASL_USERNAME', sasl.username);
  checkSafe('CAPACITY_SASL_PASSWORD', sasl.password);
  return { mechanism: STACK_SASL_MECHANISM, username: sasl.username, password: sasl.password };
}

/** The storage tool's `--add-scram` argument that creates the user at format time. */
export function scramFormatArgument(credentials: StackSaslCredentials): string {
  return `SCRAM-SHA-512=[name=${credentials.username},password=${credentials.password}]`;
}

/** The env file the stack records; its CAPACITY_SASL_* lines are exactly the service's settings. */
export function renderSaslEnv(credentials: StackSaslCredentials, file: string): string {
  return [
    "# The local stack's Kafka requires SASL/SCRAM-SHA-512 (formatted by `capacity stack up --sasl`).",
    `# Load into a shell before running the service:  set -a; . ${file}; set +a`,
    "# Deleting the stack's data folder deletes this user along with the cluster.",
    `CAPACITY_SASL_MECHANISM=${credentials.mechanism}`,
    `CAPACITY_SASL_USERNAME=${credentials.username}`,
    `CAPACITY_SASL_PASSWORD=${credentials.password}`,
    '',
  ].join('\n');
}

/** Reads back what `renderSaslEnv` wrote; a file edited into something else is an error, not a guess. */
export function parseSaslEnv(text: string, file: string): StackSaslCredentials {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new ConfigError(`${file}: not a NAME=value line: ${JSON.stringify(trimmed)}`);
    values.set(trimmed.slice(0, equals), trimmed.slice(equals + 1));
  }
  const mechanism = values.get('CAPACITY_SASL_MECHANISM');
  const username = values.get('CAPACITY_SASL_USERNAME');
  const password = values.get('CAPACITY_SASL_PASSWORD');
  if (mechanism !== STACK_SASL_MECHANISM || !username || !password) {
    throw new ConfigError(
      `${file}: expected CAPACITY_SASL_MECHANISM=${STACK_SASL_MECHANISM}, CAPACITY_SASL_USERNAME and ` +
        "CAPACITY_SASL_PASSWORD; delete the stack's data folder to format a new cluster",
    );
  }
  return { mechanism, username, password };
}

/** The recorded credentials of a SASL stack, or null for a plain one (no file). */
export function readStackSasl(file: string): StackSaslCredentials | null {
  return existsSync(file) ? parseSaslEnv(readFileSync(file, 'utf8'), file) : null;
}

/** Records (or, with null, forgets) the credentials; readable by the owner only, as it holds a password. */
export function writeStackSasl(file: string, credentials: StackSaslCredentials | null): void {
  if (credentials === null) {
    rmSync(file, { force: true });
    return;
  }
  writeFileSync(file, renderSaslEnv(credentials, file), { mode: 0o600 });
  chmodSync(file, 0o600);
}

/**
 * `--sasl` on a cluster that was formatted without it is refused: its SCRAM user could only have been added
 * at format time. Without `--sasl` a cluster keeps what it was formatted with, so `capacity start` and a
 * plain `stack up` restart a SASL stack as one.
 */
export function checkSaslSwitch(
  formatted: boolean,
  recorded: StackSaslCredentials | null,
  wantSasl: boolean,
  dataDir: string,
): void {
  if (formatted && wantSasl && recorded === null) {
    throw new ConfigError(
      `--sasl: this stack's Kafka cluster (${dataDir}) was formatted without SASL, and its SCRAM user can ` +
        `only be created when it is formatted; run \`capacity stack down\`, delete ${dataDir} (all its ` +
        'topics) and run `capacity stack up --sasl` again, or use another CAPACITY_STACK_DIR',
    );
  }
}

/** What `stack up`/`status` tell a user of a SASL stack, and whether this shell's settings will log in. */
export function saslNotes(
  recorded: StackSaslCredentials | null,
  configured: Config['sasl'],
  file: string,
): { readonly status: string; readonly warning: string | null } | null {
  if (recorded === null) return null;
  const load = `set -a; . ${file}; set +a`;
  const status = `SASL_PLAINTEXT, SCRAM-SHA-512 user ${recorded.username}; settings: ${file}`;
  const same =
    configured !== null &&
    configured.mechanism === recorded.mechanism &&
    configured.username === recorded.username &&
    configured.password === recorded.password;
  if (same) return { status, warning: null };
  const why = configured === null ? 'are not set here' : 'differ from the stack user';
  return { status, warning: `Kafka requires SASL login and CAPACITY_SASL_* ${why}; load them: ${load}` };
}
