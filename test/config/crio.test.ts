import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from './paths.js';

/**
 * The keys crio.conf(5) and CRI-O's config template document for the tables the drop-in uses
 * (CRI-O 1.24 onwards; monitor_* replaced conmon* per handler in 1.24).
 */
const DOCUMENTED: Record<string, readonly string[]> = {
  'crio.runtime': [
    'default_runtime',
    'default_ulimits',
    'no_pivot',
    'decryption_keys_path',
    'conmon',
    'conmon_cgroup',
    'conmon_env',
    'default_env',
    'selinux',
    'seccomp_profile',
    'apparmor_profile',
    'blockio_config_file',
    'cdi_spec_dirs',
    'irqbalance_config_file',
    'rdt_config_file',
    'cgroup_manager',
    'default_capabilities',
    'add_inheritable_capabilities',
    'default_sysctls',
    'allowed_devices',
    'additional_devices',
    'hooks_dir',
    'default_mounts_file',
    'pids_limit',
    'log_size_max',
    'log_to_journald',
    'container_exits_dir',
    'container_attach_socket_dir',
    'bind_mount_prefix',
    'read_only',
    'log_level',
    'log_filter',
    'uid_mappings',
    'gid_mappings',
    'ctr_stop_timeout',
    'drop_infra_ctr',
    'infra_ctr_cpuset',
    'namespaces_dir',
    'pinns_path',
    'absent_mount_sources_to_reject',
    'device_ownership_from_security_context',
    'enable_criu_support',
    'enable_pod_events',
    'hostnetwork_disable_selinux',
    'disable_hostport_mapping',
    'timezone',
    'runtimes',
    'workloads',
  ],
  'crio.runtime.runtimes.*': [
    'runtime_path',
    'runtime_type',
    'runtime_root',
    'runtime_config_path',
    'inherit_default_runtime',
    'monitor_path',
    'monitor_cgroup',
    'monitor_exec_cgroup',
    'monitor_env',
    'privileged_without_host_devices',
    'allowed_annotations',
    'platform_runtime_paths',
    'container_min_memory',
    'no_sync_log',
    'default_annotations',
    'stream_websockets',
    'seccomp_profile',
    'container_create_timeout',
  ],
  'crio.checkpoint_restore': ['container_level_enabled'],
};
const TOP_TABLES = ['runtime', 'checkpoint_restore'];

type Table = Record<string, unknown>;

describe('config/crio/crio.conf.d/10-cohort.conf', () => {
  const conf = parse(readConfigFile('crio/crio.conf.d/10-cohort.conf')) as { crio: Table };
  const runtime = conf.crio.runtime as Table;
  const handler = (runtime.runtimes as Record<string, Table>).cohort ?? {};

  it('uses only tables and keys CRI-O documents', () => {
    expect(Object.keys(conf)).toEqual(['crio']);
    for (const table of Object.keys(conf.crio)) expect(TOP_TABLES).toContain(table);
    for (const key of Object.keys(runtime)) expect(DOCUMENTED['crio.runtime']).toContain(key);
    for (const key of Object.keys(handler))
      expect(DOCUMENTED['crio.runtime.runtimes.*']).toContain(key);
    for (const key of Object.keys((conf.crio.checkpoint_restore as Table | undefined) ?? {})) {
      expect(DOCUMENTED['crio.checkpoint_restore']).toContain(key);
    }
  });

  it('registers the cohort handler as an OCI runtime with a monitor, and turns CRIU support on', () => {
    expect(handler).toMatchObject({
      runtime_path: '/usr/local/bin/cohort',
      runtime_type: 'oci',
      runtime_root: '/run/runc',
    });
    expect(handler.monitor_path).toMatch(/^\/.*conmon$/);
    expect(handler.monitor_cgroup).toBe('pod');
    expect(handler.monitor_env).toEqual([expect.stringMatching(/^PATH=\/usr\/local\/sbin:/)]);
    expect(runtime.enable_criu_support).toBe(true);
    expect(conf.crio.checkpoint_restore).toEqual({ container_level_enabled: 'checkpoint_restore' });
  });

  it('lists no io.cohort.* key in allowed_annotations, which CRI-O rejects as unknown', () => {
    // allowed_annotations names CRI-O's own experimental annotations only; others pass through.
    expect(handler.allowed_annotations ?? []).toEqual([]);
  });
});
