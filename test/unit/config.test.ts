import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configLocation, loadConfig, parseConfig } from '../../src/config/load.js';

function failure(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw, '/etc/cohort/config.json');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('config was accepted');
}

describe('cohort config', () => {
  it('fills every default', () => {
    const config = parseConfig({}, 'x');
    expect(config.stateDir).toBe('/run/cohort');
    expect(config.coordinator.address).toEqual(['unix:///run/cohort/cohortd.sock']);
    expect(config.hook).toMatch(/hooks\/criu-action$/);
    expect(config.criu.pageServerTls).toBeUndefined();
  });

  it('reads page-server TLS options', () => {
    const config = parseConfig(
      { criu: { pageServerTls: { cacert: '/ca.pem', cert: '/c.pem', key: '/k.pem' } } },
      'x',
    );
    expect(config.criu.pageServerTls).toEqual({
      cacert: '/ca.pem',
      cert: '/c.pem',
      key: '/k.pem',
      noCnVerify: false,
    });
  });

  it.each([
    [{ stateDir: 'run/cohort' }, '"stateDir" must be an absolute path'],
    [
      { coordinator: { address: 'nowhere' } },
      '"coordinator.address" must be unix:///path or host:port',
    ],
    [{ coordinator: { address: '10.0.0.1:7443' } }, 'add coordinator.tls'],
    [{ coordinator: { tls: { ca: '/ca' } } }, 'needs all of ca, cert and key'],
    [
      { criu: { pageServerTls: { cert: '/c' } } },
      '"criu.pageServerTls.cert" and "key" must be given together',
    ],
    [{ session: { heartbeatMs: 1 } }, '"session.heartbeatMs" must be a whole number'],
    [{ colour: 'blue' }, '"colour" is not a known key'],
  ])('rejects %j with a message naming the key and the fix', (raw, expected) => {
    const message = failure(raw);
    expect(message).toContain(expected);
    expect(message).toContain('/etc/cohort/config.json');
  });

  it('accepts TCP with mutual TLS, or insecure when asked', () => {
    const tls = { ca: '/ca', cert: '/c', key: '/k' };
    expect(parseConfig({ coordinator: { address: 'h:1', tls } }, 'x').coordinator.tls).toEqual(tls);
    expect(
      parseConfig({ coordinator: { address: 'h:1', insecure: true } }, 'x').coordinator.insecure,
    ).toBe(true);
  });

  it('treats a missing default file as defaults, but a named missing file as an error', () => {
    expect(() => loadConfig(configLocation({ COHORT_CONFIG: '/nonexistent/cohort.json' }))).toThrow(
      /cannot be read \(ENOENT\); fix the file or point COHORT_CONFIG elsewhere/,
    );
  });

  it('names a syntax error and freezes what it loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cohort-config-'));
    writeFileSync(join(dir, 'bad.json'), '{ "runc": ');
    expect(() => loadConfig(configLocation({ COHORT_CONFIG: join(dir, 'bad.json') }))).toThrow(
      /is not valid JSON/,
    );
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ runc: '/usr/sbin/runc' }));
    const config = loadConfig(configLocation({ COHORT_CONFIG: join(dir, 'good.json') }));
    expect(config.runc).toBe('/usr/sbin/runc');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('suggests the key meant when one is misspelt, and names its path', () => {
    expect(failure({ stateDri: '/run/cohort' })).toContain(
      '"stateDri" is not a known key; did you mean "stateDir"?',
    );
    expect(failure({ coordinator: { adress: 'unix:///x' } })).toContain(
      '"coordinator.adress" is not a known key; did you mean "address"?',
    );
  });

  it('takes one address rule: a port above 65535 is refused', () => {
    expect(failure({ coordinator: { address: 'h:99999', insecure: true } })).toContain(
      '"coordinator.address" must be unix:///path or host:port with a port from 1 to 65535',
    );
  });

  it('names --config, not COHORT_CONFIG, when cohortctl was given --config', () => {
    expect(() => loadConfig(configLocation({}, '/nonexistent/x.json'))).toThrow(
      /cannot be read \(ENOENT\); fix the file or point --config elsewhere/,
    );
  });
});
