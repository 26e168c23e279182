import { describe, expect, it } from 'vitest';
import type { OpenRoundStatus } from '../../src/coordinator/types.js';
import { ProgressView } from '../../src/cli/progress/progress-view.js';
import { renderScreen, rowsOf } from './support/screen.js';

function io(isTty: boolean, columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    io: {
      out: (text: string) => void writes.push(text),
      err: () => undefined,
      isTty,
      terminal: { columns },
    },
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

  it('redraws the whole block in place on a terminal', async () => {
    const { writes, io: out } = io(true);
    const view = new ProgressView(out, members);
    expect(await renderScreen(writes.join(''), 80)).toEqual([
      '  db   orders-db  waiting',
      '  api  orders-api  waiting',
    ]);
    view.round(round({ db: 'frozen' }));
    expect(writes).toHaveLength(2);
    expect(await renderScreen(writes.join(''), 80)).toEqual([
      '  db   orders-db  frozen (epoch 3)',
      '  api  orders-api  waiting',
    ]);
  });

  it('redraws in place when lines are wider than the terminal', async () => {
    const { writes, io: out } = io(true, 24);
    const view = new ProgressView(out, members);
    view.round(round({ db: 'joined', api: 'joined' }));
    view.round(round({ db: 'frozen', api: 'voted' }));
    view.finish('db', 'failed: podman exited 125');
    view.finish('api', 'ok');
    const final = [
      '  db   orders-db  frozen (epoch 3)  -> failed: podman exited 125',
      '  api  orders-api  dumped (epoch 3)  -> ok',
    ];
    expect(await renderScreen(writes.join(''), 24)).toEqual(rowsOf(final, 24));
  });
});
