// The local SASL stack's credentials: chosen once, recorded as the service's own CAPACITY_SASL_* lines and
// read back; values that one of the three formats they pass through would mangle are refused up front.
import { loadConfig } from '../../../src/config';
import {
  checkSaslSwitch,
  chooseStackCredentials,
  parseSaslEnv,
  renderSaslEnv,
  saslNotes,
  scramFormatArgument,
  type StackSaslCredentials,
} from '../../../src/devstack';
import { ConfigError } from '../../../src/errors';

const user: StackSaslCredentials = { mechanism: 'scram-sha-512', username: 'capacity', password: 'pw-1_x' };
const sasl = (mechanism: string, username: string, password: string) =>
  loadConfig({
    CAPACITY_SASL_MECHANISM: mechanism,
    CAPACITY_SASL_USERNAME: username,
    CAPACITY_SASL_PASSWORD: password,
  }).sasl;

test('without configured credentials, user capacity gets a generated password', () => {
  expect(chooseStackCredentials(null, () => 'generated')).toEqual({
    mechanism: 'scram-sha-512',
    username: 'capacity',
    password: 'generated',
  });
  // The real generator's output fits every format the password passes through.
  const generated = chooseStackCredentials(null).password;
  expect(generated).toMatch(/^[A-Za-z0-9_-]{32}$/);
  expect(chooseStackCredentials(null).password).not.toBe(generated);
});

test('configured SCRAM-SHA-512 credentials are used as they are', () => {
  expect(chooseStackCredentials(sasl('scram-sha-512', 'svc', 's3cret.pw'))).toEqual({
    mechanism: 'scram-sha-512',
    username: 'svc',
    password: 's3cret.pw',
  });
});

test('another mechanism, or a value that would need escaping, is refused with the variable named', () => {
  expect(() => chooseStackCredentials(sasl('plain', 'svc', 'pw'))).toThrow(/CAPACITY_SASL_MECHANISM/);
  for (const bad of ['a,b', 'x]', 'has space', 'quo"te', 'back\\slash', '$HOME']) {
    expect(() => chooseStackCredentials(sasl('scram-sha-512', 'svc', bad))).toThrow(ConfigError);
    expect(() => chooseStackCredentials(sasl('scram-sha-512', 'svc', bad))).toThrow(/CAPACITY_SASL_PASSWORD/);
  }
  expect(() => chooseStackCredentials(sasl('scram-sha-512', 'a=b', 'pw'))).toThrow(/CAPACITY_SASL_USERNAME/);
});

test('the storage tool argument names the user and its password', () => {
  expect(scramFormatArgument(user)).toBe('SCRAM-SHA-512=[name=capacity,password=pw-1_x]');
});

test('the env file holds the service settings, reads back, and is a valid configuration', () => {
  const text = renderSaslEnv(user, '/s/data/kafka-sasl.env');
  expect(text).toContain('set -a; . /s/data/kafka-sasl.env; set +a');
  expect(parseSaslEnv(text, 'f')).toEqual(user);
  const assignments = Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  expect(loadConfig(assignments).sasl).toEqual(user);
});

test('an env file edited into something else is an error naming the file', () => {
  expect(() => parseSaslEnv('CAPACITY_SASL_MECHANISM=plain\n', '/x.env')).toThrow(/\/x\.env: expected/);
  expect(() => parseSaslEnv('garbage\n', '/x.env')).toThrow(/\/x\.env: not a NAME=value line/);
  expect(() =>
    parseSaslEnv('CAPACITY_SASL_MECHANISM=scram-sha-512\nCAPACITY_SASL_USERNAME=u\n', '/x.env'),
  ).toThrow(ConfigError);
});

test('--sasl on a cluster formatted without SASL is refused; everything else keeps the cluster as it is', () => {
  expect(() => checkSaslSwitch(true, null, true, '/s/data/kafka')).toThrow(
    /formatted without SASL.*delete \/s\/data\/kafka/,
  );
  expect(() => checkSaslSwitch(true, user, true, 'd')).not.toThrow();
  expect(() => checkSaslSwitch(true, user, false, 'd')).not.toThrow();
  expect(() => checkSaslSwitch(true, null, false, 'd')).not.toThrow();
  expect(() => checkSaslSwitch(false, null, true, 'd')).not.toThrow();
});

test('notes: a plain stack has none; a SASL one warns until this shell has its exact login', () => {
  expect(saslNotes(null, null, 'f')).toBeNull();
  expect(saslNotes(user, null, 'f')).toEqual({
    status: 'SASL_PLAINTEXT, SCRAM-SHA-512 user capacity; settings: f',
    warning: 'Kafka requires SASL login and CAPACITY_SASL_* are not set here; load them: set -a; . f; set +a',
  });
  expect(saslNotes(user, sasl('scram-sha-512', 'capacity', 'other'), 'f')?.warning).toMatch(
    /differ from the stack user/,
  );
  expect(saslNotes(user, sasl('scram-sha-512', 'capacity', 'pw-1_x'), 'f')?.warning).toBeNull();
});
