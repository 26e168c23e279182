import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const IP = '/usr/sbin/ip';
const IPTABLES = '/usr/sbin/iptables';

const run = (command: string, args: readonly string[]): void => {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

/**
 * A network namespace of the test's own, joined to the host by a veth pair on a /30 of its own
 * (random, so that test runs on one machine never meet): a replica placed in it reaches etcd and
 * is reached by clients only through that link, which the test can cut.
 */
export class NetNamespace {
  readonly name: string;
  readonly hostIp: string;
  readonly nsIp: string;
  private readonly hostLink: string;
  private readonly cut: string[][] = [];

  private constructor() {
    const id = randomBytes(3).toString('hex');
    this.name = `cohort-${id}`;
    this.hostLink = `ch${id}`;
    const [a = 0, b = 0, c = 0] = randomBytes(3);
    const base = `10.${200 + (a % 50)}.${b}`;
    const block = c & 0xfc;
    this.hostIp = `${base}.${block + 1}`;
    this.nsIp = `${base}.${block + 2}`;
  }

  static create(): NetNamespace {
    const ns = new NetNamespace();
    const peer = `${ns.hostLink}n`;
    run(IP, ['netns', 'add', ns.name]);
    try {
      run(IP, ['link', 'add', ns.hostLink, 'type', 'veth', 'peer', 'name', peer]);
      run(IP, ['link', 'set', peer, 'netns', ns.name]);
      run(IP, ['addr', 'add', `${ns.hostIp}/30`, 'dev', ns.hostLink]);
      run(IP, ['link', 'set', ns.hostLink, 'up']);
      ns.exec(IP, ['addr', 'add', `${ns.nsIp}/30`, 'dev', peer]);
      ns.exec(IP, ['link', 'set', peer, 'up']);
      ns.exec(IP, ['link', 'set', 'lo', 'up']);
    } catch (error) {
      ns.destroy();
      throw error;
    }
    return ns;
  }

  /** The command prefix that runs a program inside the namespace. */
  get prefix(): string[] {
    return [IP, 'netns', 'exec', this.name];
  }

  exec(command: string, args: readonly string[]): void {
    run(IP, ['netns', 'exec', this.name, command, ...args]);
  }

  /** Drops every packet from inside the namespace to these host ports (etcd's), and only those. */
  dropTo(ports: readonly number[]): void {
    for (const port of ports) {
      const rule = [
        'OUTPUT',
        '-p',
        'tcp',
        '-d',
        this.hostIp,
        '--dport',
        String(port),
        '-j',
        'DROP',
      ];
      this.exec(IPTABLES, ['-I', ...rule]);
      this.cut.push(rule);
    }
  }

  /** Lets the dropped packets through again. */
  restore(): void {
    for (const rule of this.cut.splice(0)) this.exec(IPTABLES, ['-D', ...rule]);
  }

  /** Removes the namespace (its end of the veth goes with it, and so does the host's). */
  destroy(): void {
    try {
      run(IP, ['netns', 'del', this.name]);
    } catch {
      // Already gone.
    }
    try {
      run(IP, ['link', 'del', this.hostLink]);
    } catch {
      // Went with the namespace.
    }
  }
}
