import { statSync } from 'node:fs';
import {
  connectCoordinator,
  type CoordinatorClient,
  type CoordinatorClientOptions,
} from '../../coordinator/client.js';
import { loadConfig, type ConfigLocation } from '../../config/load.js';
import { DEFAULT_CONFIG_PATH, type CohortConfig } from '../../config/schema.js';
import { requireCriuForHooks } from '../../session/criu-version.js';

/** A CRIU that passed stays trusted this long: an upgrade is seen within a minute. */
const CRIU_TRUST_MS = 60_000;

/**
 * What every call in the host shares: coordinator connections kept open between members, CRIU's
 * version check, and configs read again only when their file changes.
 */
export class SharedServices {
  private readonly clients = new Map<string, Promise<CoordinatorClient>>();
  private readonly criuChecked = new Map<string, number>();
  private readonly configs = new Map<string, { stamp: string; config: Readonly<CohortConfig> }>();

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  coordinator(options: CoordinatorClientOptions): Promise<CoordinatorClient> {
    const key = JSON.stringify(options);
    let client = this.clients.get(key);
    if (client === undefined) {
      client = connectCoordinator(options);
      this.clients.set(key, client);
      // A failed connect is not kept: the next member tries again.
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  async requireCriu(criu: string, now = Date.now()): Promise<void> {
    const checked = this.criuChecked.get(criu);
    if (checked !== undefined && now - checked < CRIU_TRUST_MS) return;
    await requireCriuForHooks(criu, this.env);
    this.criuChecked.set(criu, now);
  }

  /** The config as loadConfig gives it, cached by the file's mtime and size. */
  config(location: ConfigLocation): Readonly<CohortConfig> {
    const path = location.path ?? DEFAULT_CONFIG_PATH;
    const stamp = fileStamp(path);
    const cached = this.configs.get(path);
    if (cached !== undefined && cached.stamp === stamp && stamp !== '') return cached.config;
    const config = loadConfig(location);
    this.configs.set(path, { stamp, config });
    return config;
  }

  close(): void {
    for (const client of this.clients.values())
      client.then((c) => c.close()).catch(() => undefined);
    this.clients.clear();
  }
}

function fileStamp(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
  } catch {
    // Missing: loadConfig decides (defaults at the default path, an error elsewhere).
    return '';
  }
}
