import type { CohortError } from '../../core/errors.js';
import { toCohortError } from '../../core/errors.js';
import type { EtcdClient, LeaderInfo } from '../../etcd/index.js';

/** How often the leader is read again besides the watch: a watch stays quiet while etcd is down. */
const POLL_MS = 1_000;

/**
 * Who leads, as this replica can tell clients: from a watch on the election (changes at once)
 * and a read every second (etcd answering at all). While etcd cannot answer, no leader is named
 * (a stale name would send clients to a replica that stepped down), and the problem is kept.
 */
export class LeaderView {
  private known: LeaderInfo | undefined;
  private failure: CohortError | undefined;
  private readonly stopWatch: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly etcd: EtcdClient) {
    this.stopWatch = etcd.observe((leader) => this.saw(leader), {
      onError: (error) => this.failed(error),
    });
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  get leader(): LeaderInfo | undefined {
    return this.known;
  }

  /** Why no leader can be named, when etcd said so. */
  get problem(): CohortError | undefined {
    return this.failure;
  }

  /** etcd failed this replica (a campaign, a lease): forget the leader until etcd answers again. */
  failed(error: CohortError): void {
    this.known = undefined;
    this.failure = error;
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatch();
  }

  private saw(leader: LeaderInfo | undefined): void {
    this.known = leader;
    this.failure = undefined;
  }

  private async poll(): Promise<void> {
    try {
      this.saw(await this.etcd.leader());
    } catch (error) {
      this.failed(toCohortError(error));
    }
  }
}
