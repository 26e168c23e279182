import { describe, expect, it } from 'vitest';
import { cohortCriuOptions } from '../../src/criu/cohort-options.js';
import { formatCriuConfig, mergeCriuOptions, parseCriuConfig } from '../../src/criu/config-file.js';

describe('CRIU config files', () => {
  it('parses options, values, comments and a leading --', () => {
    const text = '# mine\ntcp-established\n--log-file=/tmp/x.log\n\n  tls-key /k.pem # key\n';
    expect(parseCriuConfig(text)).toEqual([
      { key: 'tcp-established' },
      { key: 'log-file', value: '/tmp/x.log' },
      { key: 'tls-key', value: '/k.pem' },
    ]);
  });

  it('writes one option a line, in the order given', () => {
    const text = formatCriuConfig('head', [{ key: 'tls' }, { key: 'tls-cert', value: '/c' }]);
    expect(text).toBe('# head\ntls\ntls-cert=/c\n');
    expect(parseCriuConfig(text)).toEqual([{ key: 'tls' }, { key: 'tls-cert', value: '/c' }]);
  });

  it("keeps the user's options, adds cohort's action script beside theirs, lets their TLS win", () => {
    const user = parseCriuConfig('action-script=/theirs\ntls-cert=/their.pem\nfile-locks\n');
    const cohort = cohortCriuOptions(
      {
        hook: '/cohort/hook',
        criu: { pageServerTls: { cert: '/ours.pem', key: '/ours.key', noCnVerify: true } },
      },
      true,
    );
    const merged = mergeCriuOptions(user, cohort);
    expect(merged.options).toEqual([
      { key: 'action-script', value: '/theirs' },
      { key: 'tls-cert', value: '/their.pem' },
      { key: 'file-locks' },
      { key: 'action-script', value: '/cohort/hook' },
      { key: 'tls' },
      { key: 'tls-key', value: '/ours.key' },
      { key: 'tls-no-cn-verify' },
    ]);
    expect(merged.overridden).toEqual(['tls-cert']);
  });

  it('does not add the same action script twice', () => {
    const user = parseCriuConfig('action-script=/cohort/hook\n');
    const merged = mergeCriuOptions(
      user,
      cohortCriuOptions({ hook: '/cohort/hook', criu: {} }, true),
    );
    expect(merged.options).toEqual([{ key: 'action-script', value: '/cohort/hook' }]);
  });

  it('gives CRIU only the TLS options that are configured', () => {
    expect(cohortCriuOptions({ hook: '/h', criu: {} }, true)).toEqual([
      { key: 'action-script', value: '/h' },
    ]);
    expect(
      cohortCriuOptions(
        {
          hook: '/h',
          criu: { pageServerTls: { cacert: '/ca', cacrl: '/crl', noCnVerify: false } },
        },
        true,
      ),
    ).toEqual([
      { key: 'action-script', value: '/h' },
      { key: 'tls' },
      { key: 'tls-cacert', value: '/ca' },
      { key: 'tls-cacrl', value: '/crl' },
    ]);
  });
});
