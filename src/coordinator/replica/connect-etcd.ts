import { ErrorCode, toCohortError } from '../../core/errors.js';
import { EtcdClient, normalizeEtcdOptions, openEtcd, type EtcdOptions } from '../../etcd/index.js';
import type { Logger } from '../server/logger.js';

/**
 * Opens the etcd client and checks it with one read: a wrong certificate or option fails the
 * start with its own message. etcd merely down or without quorum does not: the replica starts,
 * follows, and campaigns until etcd is back.
 */
export async function connectEtcd(options: EtcdOptions, logger: Logger): Promise<EtcdClient> {
  try {
    return await openEtcd(options);
  } catch (error) {
    const failure = toCohortError(error);
    if (failure.code !== ErrorCode.EtcdUnreachable && failure.code !== ErrorCode.EtcdNoQuorum)
      throw failure;
    logger.warn({ code: failure.code, message: failure.message }, 'etcd-not-ready');
    return new EtcdClient(normalizeEtcdOptions(options));
  }
}
