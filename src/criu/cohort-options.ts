import type { CohortConfig } from '../config/schema.js';
import type { CriuOption } from './config-file.js';

/**
 * The options cohort gives CRIU: its action script to group members only (the hook fails
 * closed without a session, so it must never reach a container in no group), and page-server
 * TLS to every container when configured.
 */
export function cohortCriuOptions(
  config: Pick<CohortConfig, 'hook' | 'criu'>,
  member: boolean,
): CriuOption[] {
  const options: CriuOption[] = member ? [{ key: 'action-script', value: config.hook }] : [];
  const tls = config.criu.pageServerTls;
  if (tls === undefined) return options;
  // criu --tls, --tls-cacert, --tls-cacrl, --tls-cert, --tls-key, --tls-no-cn-verify
  options.push({ key: 'tls' });
  if (tls.cacert !== undefined) options.push({ key: 'tls-cacert', value: tls.cacert });
  if (tls.cacrl !== undefined) options.push({ key: 'tls-cacrl', value: tls.cacrl });
  if (tls.cert !== undefined) options.push({ key: 'tls-cert', value: tls.cert });
  if (tls.key !== undefined) options.push({ key: 'tls-key', value: tls.key });
  if (tls.noCnVerify) options.push({ key: 'tls-no-cn-verify' });
  return options;
}
