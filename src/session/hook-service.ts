import type { RuncExit } from '../runc/exit.js';

/** What the hook asked: CRIU's action and, where CRIU knows it, the container's init pid. */
export interface HookRequest {
  action: string;
  initPid?: number;
}

export interface HookReply {
  exitCode: number;
  message: string;
}

export type HookHandler = (request: HookRequest) => Promise<HookReply>;

/** How a session answers hooks/criu-action while runc runs. */
export interface HookService {
  handler: HookHandler;
  /** The CRIU actions answered (COHORT_ACTIONS); the hook exits 0 at any other. */
  actions: readonly string[];
  /** Seconds the hook waits for one answer before it fails closed (COHORT_HOOK_TIMEOUT). */
  timeoutSeconds: number;
}

/** Runs the caller's runc command for a session, with the hook answered meanwhile. */
export interface RuncLauncher {
  run(hook: HookService, options: { captureStderr: boolean }): Promise<RuncExit>;
}
