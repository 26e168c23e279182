import { existsSync } from 'node:fs';
import type { CohortConfig } from '../config/schema.js';
import type { CoordinatorClient } from '../coordinator/client.js';
import { formatAddressList } from '../core/address-list.js';
import { CohortError, ErrorCode, isCohortError } from '../core/errors.js';
import type { CliContext, CliIo } from './context.js';
import { resolveCoordinatorTarget, unreachableMessage } from './coordinator-target.js';
import { configLocation, loadConfig } from '../config/load.js';
import { DEFAULT_CONFIG_PATH } from '../config/schema.js';

/** The global flags, as yargs parsed them for this invocation. */
export interface GlobalFlags {
  /** One address, or several replicas' (the flag repeated). */
  coordinator?: string[];
  config?: string;
}

export interface OwnedContext extends CliContext {
  /** Set by a yargs middleware before any verb runs. */
  setGlobals(flags: GlobalFlags): void;
  /** Closes what the verbs opened (the coordinator connection). */
  close(): void;
}

export function makeContext(
  env: Readonly<Record<string, string | undefined>>,
  io: CliIo,
  signal: AbortSignal,
): OwnedContext {
  let flags: GlobalFlags = {};
  let config: Readonly<CohortConfig> | undefined;
  let client: Promise<CoordinatorClient> | undefined;
  const context: OwnedContext = {
    env,
    io,
    signal,
    setGlobals(next) {
      flags = next;
    },
    config() {
      config ??= loadConfig(configLocation(env, flags.config));
      return config;
    },
    coordinator() {
      client ??= connect(context.config(), flags, env);
      return client;
    },
    close() {
      void client?.then(
        (opened) => opened.close(),
        () => undefined,
      );
    },
  };
  return context;
}

async function connect(
  config: Readonly<CohortConfig>,
  flags: GlobalFlags,
  env: Readonly<Record<string, string | undefined>>,
): Promise<CoordinatorClient> {
  const configPath = configLocation(env, flags.config).path ?? DEFAULT_CONFIG_PATH;
  const target = resolveCoordinatorTarget(flags.coordinator, config, configPath);
  const only = target.addresses.length === 1 ? target.addresses[0] : undefined;
  const socket = only?.startsWith('unix://') === true ? only.slice('unix://'.length) : undefined;
  // gRPC would retry a missing socket until the connect timeout: say so at once.
  if (socket !== undefined && !existsSync(socket)) {
    throw new CohortError(
      ErrorCode.Unreachable,
      unreachableMessage(target, configPath, `no socket at ${socket}`),
      {
        details: { address: formatAddressList(target.addresses) },
      },
    );
  }
  // Loaded on first use: pki, help and completion never pay for gRPC.
  const { connectCoordinator } = await import('../coordinator/client.js');
  try {
    return await connectCoordinator({
      address: target.addresses,
      insecure: target.insecure,
      connectTimeoutMs: target.connectTimeoutMs,
      ...(target.tls === undefined ? {} : { tls: target.tls }),
    });
  } catch (error) {
    if (!isCohortError(error, ErrorCode.Unreachable)) throw error;
    throw new CohortError(
      ErrorCode.Unreachable,
      unreachableMessage(target, configPath, String(error.details.why ?? error.message)),
      {
        cause: error,
        details: { address: formatAddressList(target.addresses) },
      },
    );
  }
}
