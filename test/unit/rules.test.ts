import { describe, expect, it } from 'vitest';
import { formatAddress, parseAddress } from '../../src/core/address.js';
import { formatDuration, parseDuration } from '../../src/core/duration.js';
import { isCohortError } from '../../src/core/errors.js';
import { checkName, isValidName, MAX_MEMBERS } from '../../src/core/names.js';

describe('the name rule', () => {
  it.each(['a', 'db-1', 'A.b_c', '0', 'x'.repeat(63)])('takes %s', (name) => {
    expect(isValidName(name)).toBe(true);
  });
  it.each(['', '-a', '.a', 'a b', 'a/b', 'x'.repeat(64), 'ünï'])('refuses %j', (name) => {
    expect(isValidName(name)).toBe(false);
    expect(() => checkName(name, '--node', 'COHORT_ERR_ARGV')).toThrow(
      /--node ".*" is not a name; use 1-63/,
    );
  });
  it('keeps the member limit the wire takes', () => {
    expect(MAX_MEMBERS).toBe(4096);
  });
});

describe('the address rule', () => {
  it.each([
    ['unix:///run/cohort/cohortd.sock', { kind: 'unix', path: '/run/cohort/cohortd.sock' }],
    ['127.0.0.1:7443', { kind: 'tcp', host: '127.0.0.1', port: 7443 }],
    ['cohortd.example:1', { kind: 'tcp', host: 'cohortd.example', port: 1 }],
    ['[::1]:65535', { kind: 'tcp', host: '[::1]', port: 65535 }],
  ])('reads %s', (text, address) => {
    expect(parseAddress(text, { source: 'x' })).toEqual(address);
    expect(formatAddress(parseAddress(text, { source: 'x' }))).toBe(text);
  });
  it.each(['h:99999', 'h:65536', 'h:0', 'unix://relative', 'nowhere', 'h:', ':7443'])(
    'refuses %s, naming where it came from',
    (text) => {
      let caught: unknown;
      try {
        parseAddress(text, { source: '--coordinator' });
      } catch (error) {
        caught = error;
      }
      expect(isCohortError(caught, 'COHORT_ERR_CONFIG')).toBe(true);
      expect((caught as Error).message).toContain(`--coordinator "${text}" is not an address`);
    },
  );
  it('lets a listener ask for any free port', () => {
    expect(parseAddress('127.0.0.1:0', { source: '--listen', allowAnyPort: true })).toMatchObject({
      port: 0,
    });
  });
});

describe('durations as Go writes them', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['2h45m', 9_900_000],
    ['1500us', 2],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text, 'x')).toBe(ms);
  });
  it.each(['', 'soon', '1x', '30 s', '-5s', 's'])('refuses %j, naming the setting', (text) => {
    expect(() => parseDuration(text, '--join-timeout')).toThrow(
      /--join-timeout: .* is not a duration/,
    );
  });
  it('refuses what is out of range', () => {
    expect(() => parseDuration('25h', '--dump-timeout')).toThrow(
      /out of range; give from 1ms to 24h0m0s/,
    );
  });
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1_500, '1.5s'],
    [65_000, '1m5s'],
    [119_700, '1m59.7s'],
    [7_200_000, '2h0m0s'],
  ])('prints %d ms as %s, which it reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    if (ms > 0) expect(parseDuration(text, 'x')).toBe(ms);
  });
});
