import type { MachineEvent } from '../protocol/effects.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

/** Turns the machine's events into log lines and metric updates. */
export function observeEvent(event: MachineEvent, logger: Logger, metrics: Metrics): void {
  const { type, ...fields } = event;
  switch (event.type) {
    case 'round-opened':
      metrics.roundOpened(event.kind);
      logger.info(type, fields);
      return;
    case 'member-joined':
      logger.debug(type, fields);
      return;
    case 'barrier-released':
      metrics.barrierWait(event.stage, event.waitMs / 1000);
      logger.info(type, fields);
      return;
    case 'round-committed':
      metrics.roundCommitted();
      logger.info(type, fields);
      return;
    case 'round-aborted':
      metrics.roundAborted(event.abortKind);
      logger.warn(type, fields);
      return;
    case 'round-closed':
      (event.permanent ? logger.info : logger.warn)(type, fields);
      return;
    case 'member-failed-after-commit':
    case 'refused':
      logger.warn(type, fields);
      return;
  }
}
