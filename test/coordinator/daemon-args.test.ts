import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../../src/core/errors.js';
import { DEFAULT_LISTEN, DEFAULT_STATE_DIR, parseDaemonArgs } from '../../src/daemon/parse-args.js';

describe('cohortd flags', () => {
  test('defaults: the root-only unix socket and /var/lib/cohort', async () => {
    expect(await parseDaemonArgs([])).toMatchObject({
      kind: 'run',
      logLevel: 'info',
      options: {
        listen: [DEFAULT_LISTEN],
        stateDir: DEFAULT_STATE_DIR,
        deadlines: {},
        insecure: false,
      },
    });
  });

  test.each([
    [
      ['--listen', 'unix:///a.sock', '--listen=unix:///b.sock'],
      { listen: ['unix:///a.sock', 'unix:///b.sock'] },
    ],
    [['--listen', '0.0.0.0:7443', '--insecure'], { listen: ['0.0.0.0:7443'], insecure: true }],
    [
      ['--listen', '[::]:7443', '--tls-ca', '/ca', '--tls-cert', '/c', '--tls-key', '/k'],
      { tls: { ca: '/ca', cert: '/c', key: '/k' } },
    ],
    [
      ['--join-timeout', '45s', '--dump-timeout=10m', '--resume-timeout', '2500'],
      { deadlines: { joinMs: 45_000, dumpMs: 600_000, resumeMs: 2_500 } },
    ],
    [['--heartbeat-timeout', '1.5s'], { deadlines: { heartbeatTimeoutMs: 1_500 } }],
    [
      ['--metrics-listen', '127.0.0.1:9464', '--state-dir', '/srv/cohort'],
      { metricsListen: '127.0.0.1:9464', stateDir: '/srv/cohort' },
    ],
  ])('%j', async (argv, options) => {
    expect(await parseDaemonArgs(argv)).toMatchObject({ kind: 'run', options });
  });

  test.each([
    [['--listen', '0.0.0.0:7443'], 'needs --tls-ca'],
    [['--listen', 'unix://relative.sock'], 'absolute path'],
    [['--listen', 'nowhere'], 'not an address'],
    [['--tls-ca', '/ca'], 'go together'],
    [['--join-timeout', 'soon'], '--join-timeout: "soon" is not a duration'],
    [['--freeze-timeout', '0'], 'out of range'],
    [['--metrics-listen', 'unix:///m.sock'], 'host:port'],
    [['--log-level', 'loud'], 'Invalid values'],
    [['--bogus'], 'Unknown argument'],
  ])('%j is refused: %s', async (argv, message) => {
    const error = await parseDaemonArgs(argv).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: expect.stringMatching(/^COHORT_ERR_(ARGV|CONFIG)$/),
      message: expect.stringContaining(message),
    });
  });

  test('--help prints usage naming every flag', async () => {
    const parsed = await parseDaemonArgs(['--help']);
    expect(parsed.kind).toBe('text');
    if (parsed.kind !== 'text') return;
    for (const flag of [
      '--listen',
      '--tls-ca',
      '--insecure',
      '--state-dir',
      '--join-timeout',
      '--metrics-listen',
    ]) {
      expect(parsed.text).toContain(flag);
    }
  });

  test('an argv error carries the Argv code', async () => {
    await expect(parseDaemonArgs(['--tls-key', '/k'])).rejects.toMatchObject({
      code: ErrorCode.Argv,
    });
  });
});
