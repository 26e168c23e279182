import { describe, expect, it } from 'vitest';
import type { RoundRecord, StatusReply } from '../../src/coordinator/types.js';
import { formatHistory } from '../../src/cli/format-history.js';
import { formatStatus } from '../../src/cli/format-status.js';
import { findLastPermanent } from '../../src/cli/status.js';

const T0 = Date.parse('2026-03-01T10:00:00Z');

function round(epoch: number, fields: Partial<RoundRecord>): RoundRecord {
  return {
    group: 'orders',
    epoch,
    roundId: `r${epoch}`,
    kind: 'checkpoint',
    outcome: 'permanent',
    openedAt: T0 + epoch * 60_000,
    members: ['db', 'api'],
    imageLocations: {},
    stageDurationsMs: {},
    ...fields,
  };
}

describe('status text', () => {
  it('shows the open round with each member stage, and the last permanent checkpoint with image locations', () => {
    const reply: StatusReply = {
      now: T0 + 10_000,
      connectedMembers: 1,
      groups: [
        {
          name: 'orders',
          manifest: { name: 'orders', members: ['db', 'api'] },
          lastEpoch: 4,
          openRound: {
            epoch: 5,
            roundId: 'r5',
            kind: 'checkpoint',
            phase: 'freezing',
            openedAt: T0 + 8_000,
            expected: 2,
            members: [{ name: 'db', stage: 'frozen', connected: true }],
            deadlineAt: T0 + 40_000,
          },
        },
      ],
    };
    const lastPermanent = round(3, {
      closedAt: T0 + 5_000,
      imageLocations: { db: '/var/lib/db/checkpoint', api: '/var/lib/api/checkpoint' },
    });
    expect(formatStatus(reply, [{ ...reply.groups[0]!, lastPermanent }])).toBe(
      [
        'group orders  (manifest: 2 members; last epoch 4)',
        '  MEMBER  CONNECTED  STAGE',
        '  db      yes        frozen',
        '  api     no         not joined',
        '  open round: epoch 5 checkpoint, phase freezing, 1/2 joined, open for 2s, deadline in 30s',
        '  last permanent checkpoint: epoch 3 at 2026-03-01T10:00:05Z, members db, api',
        '    MEMBER  IMAGES',
        '    db      /var/lib/db/checkpoint',
        '    api     /var/lib/api/checkpoint',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no groups', () => {
    expect(formatStatus({ now: T0, connectedMembers: 0, groups: [] }, [])).toBe(
      'no groups (0 member sessions connected)\n',
    );
  });

  it('labels a restore round member that voted as restored', () => {
    const reply: StatusReply = {
      now: T0,
      connectedMembers: 1,
      groups: [
        {
          name: 'g',
          lastEpoch: 7,
          openRound: {
            epoch: 8,
            roundId: 'r8',
            kind: 'restore',
            phase: 'voting',
            openedAt: T0,
            expected: 1,
            checkpointEpoch: 6,
            members: [{ name: 'm', stage: 'voted', connected: true }],
          },
        },
      ],
    };
    const text = formatStatus(reply, reply.groups);
    expect(text).toContain('  m       yes        restored');
    expect(text).toContain('declared by its containers');
    expect(text).toContain('from checkpoint epoch 6');
  });
});

describe('history text', () => {
  it('lists rounds with outcome, culprit and reason, and durations per stage', () => {
    const rounds = [
      round(1, { stageDurationsMs: { join: 12, ready: 40, frozen: 3, vote: 1_250, complete: 90 } }),
      round(2, {
        outcome: 'aborted',
        culprit: 'api',
        reason: 'deadline dumpMs passed',
        stageDurationsMs: { join: 10 },
      }),
      round(3, {
        kind: 'restore',
        checkpointEpoch: 1,
        outcome: 'committed',
        stageDurationsMs: { resumed: 65_000 },
      }),
    ];
    expect(formatHistory('orders', rounds)).toBe(
      [
        'EPOCH  KIND        OUTCOME    OPENED                JOIN  READY  FROZEN  VOTE   RESUMED  COMPLETE  REASON',
        '1      checkpoint  permanent  2026-03-01T10:01:00Z  12ms  40ms   3ms     1.25s  -        90ms      -',
        '2      checkpoint  aborted    2026-03-01T10:02:00Z  10ms  -      -       -      -        -         culprit api: deadline dumpMs passed',
        '3      restore(1)  committed  2026-03-01T10:03:00Z  -     -      -       -      1m5s     -         -',
        '',
      ].join('\n'),
    );
  });

  it('finds the newest permanent checkpoint', () => {
    const rounds = [
      round(1, {}),
      round(2, { outcome: 'aborted' }),
      round(3, { kind: 'restore' }),
      round(4, { outcome: 'committed' }),
    ];
    expect(findLastPermanent(rounds)?.epoch).toBe(1);
    expect(findLastPermanent([])).toBeUndefined();
  });
});
