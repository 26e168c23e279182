import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORK_DIR } from '../../src/daemon/agent-flags.js';
import { parseDaemonArgs } from '../../src/daemon/parse-args.js';
import { DEFAULT_COORDINATOR, DEFAULT_STATE_DIR } from '../../src/config/schema.js';
import { run } from '../helpers/run.js';
import { readConfigFile } from './paths.js';
import {
  AGENT_UNIT,
  COHORTD_UNIT,
  execStart,
  readUnit,
  serviceValue,
  serviceValues,
} from './systemd/unit.js';

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

/**
 * Settings that give a unit a mount namespace, sandbox its devices or cgroups, or that the
 * containers it restores would inherit for good: none may be on the agent (its unit says why).
 */
const AGENT_MUST_NOT_SET = [
  'PrivateTmp',
  'PrivateDevices',
  'PrivateMounts',
  'PrivatePIDs',
  'PrivateNetwork',
  'ProtectSystem',
  'ProtectHome',
  'ReadWritePaths',
  'ReadOnlyPaths',
  'InaccessiblePaths',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectKernelLogs',
  'ProtectControlGroups',
  'ProtectClock',
  'ProtectHostname',
  'NoNewPrivileges',
  'SystemCallFilter',
  'RestrictSUIDSGID',
  'CapabilityBoundingSet',
  'RestrictNamespaces',
  'RestrictAddressFamilies',
  'LockPersonality',
  'RestrictRealtime',
];

const cohortd = readUnit(COHORTD_UNIT);
const agent = readUnit(AGENT_UNIT);

async function parsedCohortd() {
  const [, ...args] = execStart(cohortd);
  const parsed = await parseDaemonArgs(args);
  if (parsed.kind !== 'run') throw new Error('cohortd would not run the coordinator');
  return parsed;
}

async function parsedAgent() {
  const [, ...args] = execStart(agent);
  const parsed = await parseDaemonArgs(args);
  if (parsed.kind !== 'agent') throw new Error('cohort-agent would not run cohortd agent');
  return parsed;
}

describe('config/systemd/cohortd.service', () => {
  const one = (key: string) => serviceValue(cohortd, key);

  it('has the Unit, Service and Install sections', () => {
    expect([...cohortd.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(cohortd.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is hardened and keeps its state where cohortd expects it', () => {
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectControlGroups')).toBe('yes');
    expect(one('RestrictNamespaces')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('StateDirectory')).toBe('cohort');
    expect(one('RuntimeDirectory')).toBe('cohort');
    // /run/cohort also holds the runtime's state and the agent's session host: keep it.
    expect(one('RuntimeDirectoryPreserve')).toBe('yes');
    expect(one('ReadWritePaths')?.split(' ')).toEqual(['/var/lib/cohort', '/run/cohort']);
    expect(one('Restart')).toBe('on-failure');
  });

  it('runs the coordinator only (--no-agent), on the default socket, with flags cohortd accepts', async () => {
    const parsed = await parsedCohortd();
    expect(parsed.agent).toBeUndefined();
    expect(parsed.options).toMatchObject({
      listen: [DEFAULT_COORDINATOR],
      stateDir: '/var/lib/cohort',
    });
  });
});

describe('config/systemd/cohort-agent.service', () => {
  const one = (key: string) => serviceValue(agent, key);

  it('has the Unit, Service and Install sections, and starts after cohortd when both are here', () => {
    expect([...agent.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(agent.get('Install')?.get('WantedBy')).toEqual(['multi-user.target']);
    expect(agent.get('Unit')?.get('After')?.join(' ').split(' ')).toContain(basename(COHORTD_UNIT));
    expect(one('Restart')).toBe('on-failure');
  });

  it('runs `cohortd agent` named after the host, on the socket cohortd.service listens on', async () => {
    const parsed = await parsedAgent();
    expect(parsed.agent.node).toBe(hostname());
    expect(parsed.coordinators).toEqual((await parsedCohortd()).options.listen);
    // The runtime's own default: a member's session reaches the same coordinator.
    expect(parsed.coordinators).toEqual([DEFAULT_COORDINATOR]);
    expect(parsed.agent.config).toBeUndefined();
  });

  it("keeps /run/cohort (the runtime's state dir) across restarts, and makes its work dir", async () => {
    expect(`/run/${one('RuntimeDirectory')}`).toBe(DEFAULT_STATE_DIR);
    expect(one('RuntimeDirectory')).toBe(serviceValue(cohortd, 'RuntimeDirectory'));
    expect(one('RuntimeDirectoryPreserve')).toBe('yes');
    expect(`/var/lib/${one('StateDirectory')}`).toBe((await parsedAgent()).agent.workDir);
    expect((await parsedAgent()).agent.workDir).toBe(DEFAULT_WORK_DIR);
  });

  it("is not sandboxed: the node's mounts, cgroups and privileges are what it works with", () => {
    const set = AGENT_MUST_NOT_SET.filter((key) => serviceValues(agent, key).length > 0);
    expect(set).toEqual([]);
    // Each setting left out is named, with its reason, in the unit's comments.
    const text = readConfigFile(AGENT_UNIT);
    for (const key of AGENT_MUST_NOT_SET)
      expect(text, `${AGENT_UNIT} says nothing of ${key}`).toMatch(new RegExp(`\\b${key}\\b`));
    expect(one('User')).toBeUndefined();
  });
});

describe('both units', () => {
  it('run the same cohortd with the same Node.js and docs', () => {
    expect(execStart(agent)[0]).toBe(execStart(cohortd)[0]);
    expect(serviceValues(agent, 'Environment')).toEqual(serviceValues(cohortd, 'Environment'));
    expect(agent.get('Unit')?.get('Documentation')).toEqual(
      cohortd.get('Unit')?.get('Documentation'),
    );
  });

  it.skipIf(!existsSync(SYSTEMD_ANALYZE))(
    'pass systemd-analyze verify with no warning',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cohort-unit-'));
      try {
        const paths = [COHORTD_UNIT, AGENT_UNIT].map((file) => {
          // verify checks that ExecStart exists; any executable stands in for an installed cohortd.
          const text = readConfigFile(file).replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true');
          const path = join(dir, basename(file));
          writeFileSync(path, text);
          return path;
        });
        const result = await run(SYSTEMD_ANALYZE, ['verify', ...paths]);
        expect(result).toMatchObject({ exitCode: 0, stderr: '' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
