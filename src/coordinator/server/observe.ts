import type { MachineEvent } from '../protocol/effects.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** Turns the machine's events into log lines and metric updates. */
export function observeEvent(event: MachineEvent, logger: Logger, metrics: Metrics): void {
  const { type, group, ...rest } = event;
  const { epoch, ...fields } = rest as typeof rest & { epoch?: number };
  // Everything about a round is logged by a child that carries its group and epoch.
  const log = logger.child(epoch === undefined ? { group } : { group, epoch });
  switch (event.type) {
    case 'round-opened':
      metrics.roundOpened(event.kind);
      log.info(fields, type);
      return;
    case 'member-joined':
      log.debug(fields, type);
      return;
    case 'barrier-released':
      metrics.barrierWait(event.stage, event.waitMs / 1000);
      log.info(fields, type);
      return;
    case 'round-committed':
      metrics.roundCommitted();
      log.info(fields, type);
      return;
    case 'round-aborted':
      metrics.roundAborted(event.abortKind);
      log.warn(fields, type);
      return;
    case 'round-closed':
      log[event.permanent ? 'info' : 'warn'](fields, type);
      return;
    case 'member-failed-after-commit':
    case 'refused':
      log.warn(fields, type);
      return;
  }
}
