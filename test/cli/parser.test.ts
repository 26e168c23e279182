import { describe, expect, it } from 'vitest';
import { cohortVersion } from '../../src/core/package-paths.js';
import { cohortctl } from './support/run-cli.js';

describe('cohortctl usage', () => {
  it('--help lists the verbs and ends with the exit codes', async () => {
    const result = await cohortctl(['--help']);
    expect(result.code).toBe(0);
    for (const verb of [
      'status [group]',
      'group ',
      'history <group>',
      'checkpoint <group>',
      'restore <group>',
      'pki ',
      'completion',
    ]) {
      expect(result.stdout).toContain(`cohortctl ${verb}`);
    }
    expect(result.stdout).toContain(
      [
        'Exit codes:',
        '  0  ok',
        '  1  the operation failed (a member failed, the round aborted)',
        '  2  usage error, bad input, manifest or config that does not validate',
        '  3  coordinator unreachable',
        '  4  not found (unknown group, member container missing)',
        '  5  engine or tool missing (podman, openssl)',
      ].join('\n'),
    );
  });

  it('--help of a verb shows its own flags', async () => {
    const result = await cohortctl(['checkpoint', '--help']);
    expect(result.code).toBe(0);
    for (const flag of [
      '--leave-running',
      '--tcp-established',
      '--store',
      '--file-locks',
      '--json',
      '--coordinator',
      '--config',
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('--version prints the package version', async () => {
    expect(await cohortctl(['--version'])).toEqual({
      code: 0,
      stdout: `${cohortVersion()}\n`,
      stderr: '',
    });
  });

  it('prints a bash completion script, and completes verbs', async () => {
    const script = await cohortctl(['completion']);
    expect(script.code).toBe(0);
    expect(script.stdout).toContain(
      'complete -o bashdefault -o default -F _cohortctl_yargs_completions cohortctl',
    );
    const words = await cohortctl(['--get-yargs-completions', 'cohortctl', 'gr']);
    expect(words.stdout.split('\n')).toContain('group');
  });

  it.each([
    [[], /name a command/],
    [['frobnicate'], /Unknown argument: frobnicate/],
    [['group'], /name a group command: apply, list, delete, set or show/],
    [['pki'], /name a pki command: init or add/],
    [['group', 'apply'], /Missing required argument: file/],
    [['status', '--interval', '5', '--watch'], /--interval: 5 is out of range; give from 100ms/],
    [['checkpoint', 'g', '--store'], /Not enough arguments following: store/],
    [['restore', 'g', '--epoch', 'latest'], /--epoch must be a whole number/],
  ])('exits 2 with one line on bad usage: %j', async (argv, message) => {
    const result = await cohortctl(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cohortctl: [^\n]+ \(see cohortctl --help\)\n$/);
    expect(result.stderr).toMatch(message);
  });
});
