import { join } from 'node:path';

/** A dir: store's files: DIR/epoch-N/{MEMBER.tar.gz,index.json}, and DIR/latest → epoch-N. */
export const INDEX_FILE = 'index.json';
export const LATEST_LINK = 'latest';

export function epochDir(root: string, epoch: number): string {
  return join(root, `epoch-${epoch}`);
}

export function archivePath(root: string, epoch: number, member: string): string {
  return join(epochDir(root, epoch), `${member}.tar.gz`);
}

export function indexPath(root: string, epoch: number): string {
  return join(epochDir(root, epoch), INDEX_FILE);
}

/** The epoch of an `epoch-N` directory name, or undefined. */
export function epochOfDir(name: string): number | undefined {
  const match = /^epoch-(0|[1-9]\d{0,15})$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}
