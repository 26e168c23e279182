import type { CoordinatorClient, CoordinatorClientOptions } from '../coordinator/client.js';
import type { RuncLauncher } from './hook-service.js';

/**
 * What a long-lived session host lends one member's checkpoint or restore: a coordinator
 * connection already open, CRIU already checked, and runc run by the caller's front door.
 */
export interface SessionServices {
  /** A connected client, shared with the host's other sessions: never closed by a session. */
  coordinator(options: CoordinatorClientOptions): Promise<CoordinatorClient>;
  /** Throws unless this CRIU runs cohort's hook under runc. */
  requireCriu(criu: string): Promise<void>;
  launcher: RuncLauncher;
}
