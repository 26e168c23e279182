/** The demo's group: three members; two of them talk over one TCP connection. */
export interface DemoMember {
  name: string;
  /** The container's shell program. */
  script: string;
  /** Join the group's shared network namespace (a path) instead of getting one of its own. */
  sharedNetns: boolean;
  /** Files in the rootfs holding one number a line, checked for gaps and repeats after restore. */
  logs: string[];
  /** A TCP port the member listens on: the next member starts once it does. */
  listensOn?: number;
}

const PORT = 7000;

export const DEMO_MEMBERS: readonly DemoMember[] = [
  {
    name: 'counter',
    script: 'i=0; while :; do i=$((i+1)); echo $i >> /data/count; sleep 0.1; done',
    sharedNetns: false,
    logs: ['data/count'],
  },
  {
    name: 'receiver',
    // nc ends at EOF on its stdin: a sleep that never ends keeps the connection open.
    script: `sleep 2147483647 | nc -l -p ${PORT} > /data/received`,
    sharedNetns: true,
    logs: ['data/received'],
    listensOn: PORT,
  },
  {
    name: 'sender',
    script: `i=0; while :; do i=$((i+1)); echo $i; echo $i >> /data/sent; sleep 0.1; done | nc 127.0.0.1 ${PORT}`,
    sharedNetns: true,
    logs: ['data/sent'],
  },
];
