// Standby placement and takeover fencing as pure functions of the group's membership.
import { lostOwners, rememberOwners, standbyPartitions, type MemberOwnership } from '../../../src/processor';

const PARTITIONS = 12;
const group = (...owned: number[][]): MemberOwnership[] =>
  owned.map((partitions, i) => ({ clientId: `app-${i}`, partitions }));
const threeMembers = group([0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]);

function placements(members: MemberOwnership[], replicas: number): Map<string, Set<number>> {
  return new Map(
    members.map((m) => [m.clientId, standbyPartitions(members, m.clientId, replicas, PARTITIONS)]),
  );
}

describe('standbyPartitions', () => {
  it('gives every partition exactly `replicas` standbys, none on its owner', () => {
    for (const replicas of [1, 2]) {
      const byMember = placements(threeMembers, replicas);
      for (let p = 0; p < PARTITIONS; p++) {
        const holders = [...byMember].filter(([, set]) => set.has(p)).map(([id]) => id);
        expect(holders).toHaveLength(replicas);
        const owner = threeMembers.find((m) => m.partitions.includes(p))?.clientId;
        expect(holders).not.toContain(owner);
      }
    }
  });

  it('follows every other partition when replicas >= members - 1', () => {
    const byMember = placements(threeMembers, 5);
    expect([...(byMember.get('app-0') ?? [])].sort((a, b) => a - b)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('is the same answer on every member (a pure function of the membership)', () => {
    const shuffled = [threeMembers[2], threeMembers[0], threeMembers[1]] as MemberOwnership[];
    expect(placements(shuffled, 1)).toEqual(placements(threeMembers, 1));
  });

  it('moves only the copies the leaving member held (rendezvous hashing)', () => {
    const holder = (members: MemberOwnership[], p: number) =>
      [...placements(members, 1)].find(([, set]) => set.has(p))?.[0];
    const four = group([0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]);
    // app-3 leaves; its partitions go to app-0. Partitions 3..8 keep their owners.
    const three = group([0, 1, 2, 9, 10, 11], [3, 4, 5], [6, 7, 8]);
    for (let p = 3; p <= 8; p++) {
      const before = holder(four, p);
      if (before !== 'app-3') expect(holder(three, p)).toBe(before);
    }
  });

  it('is empty with no replicas, for a member not in the group, and for a group of one', () => {
    expect(standbyPartitions(threeMembers, 'app-0', 0, PARTITIONS).size).toBe(0);
    expect(standbyPartitions(threeMembers, 'stranger', 1, PARTITIONS).size).toBe(0);
    expect(standbyPartitions(group([...Array(PARTITIONS).keys()]), 'app-0', 1, PARTITIONS).size).toBe(0);
  });

  it('places copies of unowned partitions (mid-rebalance) too', () => {
    const members = group([0, 1], [2, 3]);
    const all = placements(members, 1);
    for (let p = 4; p < PARTITIONS; p++) {
      expect([...all].filter(([, set]) => set.has(p))).toHaveLength(1);
    }
  });
});

describe('lostOwners', () => {
  const seen = (members: MemberOwnership[], self: string) => {
    const owners = new Map<number, string>();
    rememberOwners(owners, members, self);
    return owners;
  };

  it('names the previous owner of a handed-over partition when it left the group', () => {
    const now = group([0, 1, 2, 3, 8, 9], [4, 5, 6, 7, 10, 11]);
    expect(lostOwners(seen(threeMembers, 'app-0'), now, [8, 9], 'app-0')).toEqual(['app-2']);
  });

  it('still knows the lost owner when the last look was already after the handover', () => {
    const owners = seen(threeMembers, 'app-0');
    const now = group([0, 1, 2, 3, 8, 9], [4, 5, 6, 7, 10, 11]);
    rememberOwners(owners, now, 'app-0'); // partitions 8 and 9 are app-0's own now: not recorded
    expect(lostOwners(owners, now, [8, 9], 'app-0')).toEqual(['app-2']);
  });

  it('names nobody when the previous owner is still a member (a cooperative handover commits first)', () => {
    const now = group([0, 1, 2], [4, 5, 6, 7], [8, 9, 10, 11], [3]);
    expect(lostOwners(seen(threeMembers, 'app-3'), now, [3], 'app-3')).toEqual([]);
  });

  it('never names itself, nor an owner it never saw', () => {
    expect(lostOwners(seen(threeMembers, 'app-0'), [], [0, 1], 'app-0')).toEqual([]);
    expect(lostOwners(new Map(), group([0]), [0], 'app-0')).toEqual([]);
  });
});
