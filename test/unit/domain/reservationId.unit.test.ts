import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';
import {
  InvalidReservationIdError,
  parseReservationId,
  poolIdOf,
  reservationIdFor,
  targetPoolId,
} from '../../../src/domain';

describe('reservation ids', () => {
  it('have the format r1.<poolId>.<32 lowercase hex>', () => {
    expect(reservationIdFor('pool-1', 'req-1')).toMatch(/^r1\.pool-1\.[0-9a-f]{32}$/);
  });

  it('are the first 16 bytes of sha256(poolId NUL requestId)', () => {
    const expected = bytesToHex(sha256(utf8ToBytes('pool-1\u0000req-1'))).slice(0, 32);
    expect(reservationIdFor('pool-1', 'req-1')).toBe(`r1.pool-1.${expected}`);
  });

  it('match the example in docs/domain.md', () => {
    expect(reservationIdFor('north-1_2025-06-01T10', 'order-42')).toBe(
      'r1.north-1_2025-06-01T10.dce9717871b644506e077889d4a9a089',
    );
  });

  it('are deterministic', () => {
    expect(reservationIdFor('pool-1', 'req-1')).toBe(reservationIdFor('pool-1', 'req-1'));
  });

  it('differ per requestId and per pool', () => {
    const id = reservationIdFor('pool-1', 'req-1');
    expect(reservationIdFor('pool-1', 'req-2')).not.toBe(id);
    const digestOf = (s: string) => s.split('.')[2];
    expect(digestOf(reservationIdFor('pool-2', 'req-1'))).not.toBe(digestOf(id));
  });

  it('do not collide by concatenation (pool "a", request "bc" vs pool "ab", request "c")', () => {
    const digestOf = (s: string) => s.split('.')[2];
    expect(digestOf(reservationIdFor('a', 'bc'))).not.toBe(digestOf(reservationIdFor('ab', 'c')));
  });

  it('are URL-safe for any requestId', () => {
    const id = reservationIdFor('pool_1', 'ünïcødé / ? # & 🚚');
    expect(encodeURIComponent(id)).toBe(id);
  });

  it('round-trip the pool id (self-routing)', () => {
    for (const poolId of ['p', 'zone-n1_2025-06-01T10', 'A'.repeat(64)]) {
      const id = reservationIdFor(poolId, 'req');
      expect(poolIdOf(id)).toBe(poolId);
      expect(parseReservationId(id)).toEqual({ ok: true, poolId, digest: id.slice(-32) });
      expect(targetPoolId({ type: 'ReleaseCapacity', reservationId: id })).toBe(poolId);
    }
  });

  it('cannot be derived from an invalid pool id', () => {
    expect(() => reservationIdFor('a.b', 'req')).toThrow(/invalid pool id "a\.b"/);
    expect(() => reservationIdFor('', 'req')).toThrow(RangeError);
  });

  describe('parse rejects each malformed variant with its own reason', () => {
    const digest = 'a'.repeat(32);
    const cases: ReadonlyArray<[string, unknown, RegExp]> = [
      ['non-string', 42, /must be a string \(got 42\)/],
      ['empty', '', /must not be empty/],
      ['missing prefix', `pool.${digest}`, /must start with the version prefix "r1\."/],
      ['upper-case prefix', `R1.pool.${digest}`, /must start with the version prefix "r1\."/],
      ['unknown version', `r2.pool.${digest}`, /unknown format version "r2" \(only "r1" is supported\)/],
      ['too few parts', `r1.${digest}`, /must have 3 dot-separated parts .* \(got 2\)/],
      ['too many parts', `r1.pool.x.${digest}`, /must have 3 dot-separated parts .* \(got 4\)/],
      ['version only', 'r1', /must have 3 dot-separated parts .* \(got 1\)/],
      ['empty pool id', `r1..${digest}`, /pool id part "" must be 1-64 characters/],
      ['bad pool id character', `r1.po/ol.${digest}`, /pool id part "po\/ol" must be 1-64 characters/],
      ['pool id too long', `r1.${'p'.repeat(65)}.${digest}`, /pool id part .* must be 1-64 characters/],
      ['short digest', 'r1.pool.abc', /digest part must be 32 lowercase hex characters \(got "abc"\)/],
      ['upper-case digest', `r1.pool.${'A'.repeat(32)}`, /digest part must be 32 lowercase hex/],
      ['non-hex digest', `r1.pool.${'g'.repeat(32)}`, /digest part must be 32 lowercase hex/],
      ['long digest', `r1.pool.${'a'.repeat(33)}`, /digest part must be 32 lowercase hex/],
      ['empty digest', 'r1.pool.', /digest part must be 32 lowercase hex characters \(got ""\)/],
    ];

    it.each(cases)('%s', (_name, id, reason) => {
      const parsed = parseReservationId(id);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.reason).toMatch(reason);
    });

    it('gives a distinct reason per kind of problem', () => {
      const kinds = [
        42,
        '',
        `pool.${digest}`,
        `r2.pool.${digest}`,
        `r1.${digest}`,
        `r1..${digest}`,
        'r1.pool.abc',
      ];
      const reasons = kinds.map((id) => {
        const parsed = parseReservationId(id);
        return parsed.ok ? 'ok' : parsed.reason.replace(/\(got .*\)|".*?"/g, '');
      });
      expect(new Set(reasons).size).toBe(kinds.length);
    });
  });

  describe('InvalidReservationIdError', () => {
    it('is thrown by poolIdOf with the code, the id and the reason', () => {
      let error: unknown;
      try {
        poolIdOf('r1.pool.xyz');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidReservationIdError);
      expect(error).toBeInstanceOf(Error);
      const invalid = error as InvalidReservationIdError;
      expect(invalid.code).toBe('INVALID_RESERVATION_ID');
      expect(invalid.name).toBe('InvalidReservationIdError');
      expect(invalid.reservationId).toBe('r1.pool.xyz');
      expect(invalid.message).toBe(
        'invalid reservation id "r1.pool.xyz": digest part must be 32 lowercase hex characters (got "xyz")',
      );
    });

    it('is thrown by targetPoolId for a malformed release', () => {
      expect(() => targetPoolId({ type: 'ReleaseCapacity', reservationId: 'nope' })).toThrow(
        InvalidReservationIdError,
      );
    });
  });
});
