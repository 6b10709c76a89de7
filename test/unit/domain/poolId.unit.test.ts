import { isValidPoolId, MAX_POOL_ID_LENGTH, POOL_ID_PATTERN, targetPoolId } from '../../../src/domain';

describe('pool ids', () => {
  it.each(['a', 'Zone_1-2025', '0', 'x'.repeat(MAX_POOL_ID_LENGTH)])('accepts %p', (id) => {
    expect(isValidPoolId(id)).toBe(true);
    expect(POOL_ID_PATTERN.test(id)).toBe(true);
  });

  it.each(['', 'a.b', 'a b', 'a/b', 'é', 'x'.repeat(MAX_POOL_ID_LENGTH + 1), ' a', 'a\u0000'])(
    'rejects %p',
    (id) => {
      expect(isValidPoolId(id)).toBe(false);
    },
  );

  it('rejects non-strings', () => {
    expect(isValidPoolId(undefined)).toBe(false);
    expect(isValidPoolId(12)).toBe(false);
  });

  it('targetPoolId reads the pool id of pool commands', () => {
    expect(targetPoolId({ type: 'ReserveCapacity', poolId: 'p1', units: 1 })).toBe('p1');
    expect(targetPoolId({ type: 'ClosePool', poolId: 'p2' })).toBe('p2');
  });
});
