import { describe, expect, it } from 'vitest';
import { ErrorCode, isCohortError } from '../../src/core/errors.js';
import { isLoopbackHost, parseStoreLocation } from '../../src/store/index.js';

function parseError(text: string, option?: string): Error {
  try {
    parseStoreLocation(text, option);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${text} parsed`);
}

describe('store locations', () => {
  it.each([
    [
      'dir:/var/lib/cohort/store/web',
      { kind: 'dir', path: '/var/lib/cohort/store/web', text: 'dir:/var/lib/cohort/store/web' },
    ],
    ['dir:/srv//store/', { kind: 'dir', path: '/srv/store', text: 'dir:/srv/store' }],
    [
      'oci://registry.example/cohort/web',
      {
        kind: 'oci',
        host: 'registry.example',
        repository: 'cohort/web',
        text: 'oci://registry.example/cohort/web',
      },
    ],
    [
      'oci://127.0.0.1:5000/a/b/c',
      {
        kind: 'oci',
        host: '127.0.0.1:5000',
        repository: 'a/b/c',
        text: 'oci://127.0.0.1:5000/a/b/c',
      },
    ],
    [
      'oci://[::1]:5000/r',
      { kind: 'oci', host: '[::1]:5000', repository: 'r', text: 'oci://[::1]:5000/r' },
    ],
    [
      'oci://localhost:5000/my_group-1.x',
      {
        kind: 'oci',
        host: 'localhost:5000',
        repository: 'my_group-1.x',
        text: 'oci://localhost:5000/my_group-1.x',
      },
    ],
  ])('parses %s', (text, expected) => {
    expect(parseStoreLocation(text)).toEqual(expected);
  });

  it.each([
    ['/var/lib/store', 'must start with dir: or oci://'],
    ['dir:relative/path', 'needs an absolute path'],
    ['dir:', 'needs an absolute path'],
    ['oci://registry.example', 'needs a host and a repository'],
    ['oci:///repo', 'needs a host and a repository'],
    ['oci://registry.example/Cohort/Web', 'must be lowercase'],
    ['oci://registry.example/cohort/web:latest', 'without a tag or digest'],
    ['oci://registry.example/cohort@sha256:abc', 'without a tag or digest'],
    ['oci://registry.example:99999/cohort', 'port 1-65535'],
    ['oci://bad_host/cohort', 'is not a host name'],
  ])('refuses %s, naming the option and the fix', (text, why) => {
    const error = parseError(text, 'store (in /etc/cohort/config.json)');
    expect(isCohortError(error, ErrorCode.StoreLocation)).toBe(true);
    expect(error.message).toContain('store (in /etc/cohort/config.json)');
    expect(error.message).toContain(why);
    expect(error.message).toContain('give dir:/');
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('names --store by default', () => {
    expect(parseError('ftp://x/y').message).toMatch(/^--store "ftp:\/\/x\/y"/);
  });

  it('knows loopback hosts, where plain HTTP is allowed', () => {
    expect(isLoopbackHost('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('[::1]:5000')).toBe(true);
    expect(isLoopbackHost('10.0.0.1:5000')).toBe(false);
    expect(isLoopbackHost('registry.example')).toBe(false);
  });
});
