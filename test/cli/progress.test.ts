import { describe, expect, it } from 'vitest';
import type { OpenRoundStatus } from '../../src/coordinator/types.js';
import { ProgressView } from '../../src/cli/progress/progress-view.js';

function io(isTty: boolean) {
  const writes: string[] = [];
  return {
    writes,
    io: { out: (text: string) => void writes.push(text), err: () => undefined, isTty },
  };
}

function round(
  stages: Record<string, OpenRoundStatus['members'][number]['stage']>,
): OpenRoundStatus {
  return {
    epoch: 3,
    roundId: 'r3',
    kind: 'checkpoint',
    phase: 'freezing',
    openedAt: 0,
    expected: 2,
    members: Object.entries(stages).map(([name, stage]) => ({ name, stage, connected: true })),
  };
}

const members = [
  { member: 'db', label: 'orders-db' },
  { member: 'api', label: 'orders-api' },
];

describe('ProgressView', () => {
  it('appends one line per change when stdout is not a terminal', () => {
    const { writes, io: out } = io(false);
    const view = new ProgressView(out, members);
    view.round(round({ db: 'joined' }));
    view.round(round({ db: 'joined', api: 'joined' }));
    view.round(round({ db: 'frozen', api: 'voted' }));
    view.finish('api', 'ok');
    expect(writes.join('')).toBe(
      [
        '  db   orders-db  joined (epoch 3)',
        '  api  orders-api  joined (epoch 3)',
        '  db   orders-db  frozen (epoch 3)',
        '  api  orders-api  dumped (epoch 3)',
        '  api  orders-api  dumped (epoch 3)  -> ok',
        '',
      ].join('\n'),
    );
  });

  it('redraws the whole block in place on a terminal', () => {
    const { writes, io: out } = io(true);
    const view = new ProgressView(out, members);
    view.round(round({ db: 'frozen' }));
    expect(writes[0]).toBe('\x1b[2K  db   orders-db  waiting\n\x1b[2K  api  orders-api  waiting\n');
    expect(writes[1]).toBe(
      '\x1b[2A\x1b[2K  db   orders-db  frozen (epoch 3)\n\x1b[2K  api  orders-api  waiting\n',
    );
  });
});
