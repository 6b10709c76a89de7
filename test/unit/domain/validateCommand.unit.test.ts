import type { Command, CommandEnvelope } from '../../../src/domain';
import { reservationIdFor, validateCommand } from '../../../src/domain';
import { closePool, definePool, envelope, release, reserve, changeCapacity } from './fixtures';

/** Builds a deliberately ill-typed envelope, as one deserialized from the wire could be. */
const raw = (fields: Record<string, unknown>, command: object = reserve(1)): CommandEnvelope =>
  ({ ...envelope(reserve(1)), ...fields, command }) as unknown as CommandEnvelope;

const withCommand = (command: object): CommandEnvelope => raw({}, command);

describe('validateCommand', () => {
  it.each<[string, Command, number | null]>([
    ['DefinePool', definePool(), 0],
    ['ChangeCapacity', changeCapacity(0), 3],
    ['ReserveCapacity', reserve(1_000_000), null],
    ['ReleaseCapacity', release(reservationIdFor('p', 'r')), null],
    ['ClosePool', closePool(), 7],
  ])('accepts a valid %s', (_name, command, expectedVersion) => {
    expect(validateCommand(envelope(command, { expectedVersion }))).toEqual([]);
  });

  describe('envelope fields', () => {
    it.each<[string, Record<string, unknown>, string]>([
      [
        'empty commandId',
        { commandId: '' },
        'commandId: must be a non-empty string of at most 128 characters (got "")',
      ],
      [
        'long commandId',
        { commandId: 'c'.repeat(129) },
        'commandId: must be a non-empty string of at most 128',
      ],
      [
        'missing requestId',
        { requestId: undefined },
        'requestId: must be a non-empty string of at most 128 characters (got undefined)',
      ],
      [
        'numeric requestId',
        { requestId: 5 },
        'requestId: must be a non-empty string of at most 128 characters (got 5)',
      ],
      ['fractional issuedAt', { issuedAt: 1.5 }, 'issuedAt: must be a finite integer (epoch ms) (got 1.5)'],
      [
        'infinite issuedAt',
        { issuedAt: Infinity },
        'issuedAt: must be a finite integer (epoch ms) (got Infinity)',
      ],
      ['NaN issuedAt', { issuedAt: NaN }, '(got NaN)'],
      [
        'negative expectedVersion',
        { expectedVersion: -1 },
        'expectedVersion: must be null or an integer >= 0 (got -1)',
      ],
      [
        'fractional expectedVersion',
        { expectedVersion: 0.5 },
        'expectedVersion: must be null or an integer >= 0 (got 0.5)',
      ],
      ['command missing', { command: null }, 'command: must be an object (got null)'],
    ])('%s', (_name, fields, problem) => {
      const e = { ...envelope(closePool()), ...fields } as unknown as CommandEnvelope;
      const problems = validateCommand(e);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(problem);
    });

    it('reports exactly 128 characters as fine', () => {
      expect(
        validateCommand(envelope(closePool(), { commandId: 'c'.repeat(128), requestId: 'r'.repeat(128) })),
      ).toEqual([]);
    });

    it.each<[string, Command]>([
      ['ReserveCapacity', reserve(1)],
      ['ReleaseCapacity', release(reservationIdFor('p', 'r'))],
    ])('refuses expectedVersion on %s', (name, command) => {
      expect(validateCommand(envelope(command, { expectedVersion: 0 }))).toEqual([
        `expectedVersion: only admin commands (DefinePool, ChangeCapacity, ClosePool) may set it (got 0 on "${name}")`,
      ]);
    });

    it('reports every problem, not just the first', () => {
      expect(
        validateCommand(
          raw({ commandId: '', requestId: '' }, { type: 'ReserveCapacity', poolId: '', units: 0 }),
        ),
      ).toHaveLength(4);
    });

    it('truncates long values it echoes', () => {
      const [problem] = validateCommand(raw({ commandId: 'x'.repeat(1000) }));
      expect(problem).toContain('(1000 characters)');
      expect(problem!.length).toBeLessThan(200);
    });
  });

  describe('command fields', () => {
    it.each<[string, object, string]>([
      ['unknown type', { type: 'Explode' }, 'command.type: unknown command type "Explode"'],
      [
        'pool id with a dot',
        { ...reserve(1), poolId: 'a.b' },
        'command.poolId: must be 1-64 characters of A-Z a-z 0-9 _ - (got "a.b")',
      ],
      ['pool id too long', { ...closePool(), poolId: 'p'.repeat(65) }, 'command.poolId: must be 1-64'],
      [
        'missing pool id',
        { type: 'ChangeCapacity', capacity: 1 },
        'command.poolId: must be 1-64 characters of A-Z a-z 0-9 _ - (got undefined)',
      ],
      [
        'empty zone',
        { ...definePool(), zone: '' },
        'command.zone: must be a non-empty string of at most 64 characters (got "")',
      ],
      [
        'long zone',
        { ...definePool(), zone: 'z'.repeat(65) },
        'command.zone: must be a non-empty string of at most 64',
      ],
      [
        'padded zone',
        { ...definePool(), zone: ' north ' },
        'command.zone: must not have leading or trailing whitespace (got " north ")',
      ],
      [
        'fractional slotStart',
        { ...definePool(), slotStart: 1.5 },
        'command.slotStart: must be a finite integer (epoch ms) (got 1.5)',
      ],
      [
        'missing slotEnd',
        { ...definePool(), slotEnd: undefined },
        'command.slotEnd: must be a finite integer (epoch ms) (got undefined)',
      ],
      [
        'empty slot',
        { ...definePool(), slotStart: 10, slotEnd: 10 },
        'command.slotEnd: must be after command.slotStart (got slotStart 10, slotEnd 10)',
      ],
      [
        'reversed slot',
        { ...definePool(), slotStart: 10, slotEnd: 5 },
        'command.slotEnd: must be after command.slotStart',
      ],
      [
        'negative capacity',
        { ...definePool(), capacity: -1 },
        'command.capacity: must be an integer >= 0 and <= 1000000 (got -1)',
      ],
      [
        'huge capacity',
        changeCapacity(1_000_001),
        'command.capacity: must be an integer >= 0 and <= 1000000 (got 1000001)',
      ],
      [
        'string capacity',
        { ...changeCapacity(1), capacity: '5' },
        'command.capacity: must be an integer >= 0 and <= 1000000 (got "5")',
      ],
      [
        'zero units',
        { ...reserve(1), units: 0 },
        'command.units: must be an integer >= 1 and <= 1000000 (got 0)',
      ],
      [
        'too many units',
        { ...reserve(1), units: 1_000_001 },
        'command.units: must be an integer >= 1 and <= 1000000 (got 1000001)',
      ],
      [
        'fractional units',
        { ...reserve(1), units: 1.5 },
        'command.units: must be an integer >= 1 and <= 1000000 (got 1.5)',
      ],
      ['malformed reservation id', release('r9.p.x'), 'command.reservationId: unknown format version "r9"'],
      [
        'missing reservation id',
        { type: 'ReleaseCapacity' },
        'command.reservationId: must be a string (got undefined)',
      ],
    ])('%s', (_name, command, problem) => {
      const problems = validateCommand(withCommand(command));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(problem);
    });
  });
});
