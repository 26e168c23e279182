import { join } from 'node:path';
import type { AgentOptions } from '../agent/options.js';
import { configLocation, loadConfig, loadConfigOrDefaults } from '../config/load.js';
import { resolveRunc } from '../config/runc.js';
import type { CoordinatorClientOptions } from '../coordinator/client.js';
import type { Logger } from '../coordinator/server/logger.js';
import { PACKAGE_ROOT } from '../core/package-paths.js';
import type { AgentFlags } from './agent-flags.js';

/** The agent's full options: its flags, the cohort config its members' runtime uses, a logger. */
export function agentOptions(
  flags: AgentFlags,
  coordinator: CoordinatorClientOptions,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): AgentOptions {
  const location = configLocation(env, flags.config);
  const config = loadConfig(location);
  // The runtime that runs the members must read the same config as the agent.
  const childEnv = {
    ...env,
    ...(location.path === undefined ? {} : { COHORT_CONFIG: location.path }),
  };
  return {
    node: flags.node,
    coordinator,
    ...(flags.engines.includes('podman')
      ? { podman: { binary: flags.podman, globalArgs: [], env: childEnv } }
      : {}),
    runcRoots: flags.engines.includes('runc') ? flags.runcRoots : [],
    runc: resolveRunc(config, location.path ?? 'the default config'),
    cohort: join(PACKAGE_ROOT, 'bin', 'cohort'),
    env: childEnv,
    sessionStateDirs: [config.stateDir, loadConfigOrDefaults().stateDir],
    workDir: flags.workDir,
    store: {
      tlsVerify: flags.storeTlsVerify,
      ...(flags.storeCa === undefined ? {} : { caFile: flags.storeCa }),
    },
    podmanRuntimeName: flags.runtimeName,
    pollMs: flags.pollMs,
    logger: logger.child({ node: flags.node }),
  };
}
