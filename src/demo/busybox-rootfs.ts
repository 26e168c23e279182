import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

/** A minimal root filesystem: busybox-static and one link per applet. */
export function makeBusyboxRootfs(rootfs: string, busybox = BUSYBOX): void {
  for (const dir of ['bin', 'tmp', 'proc', 'dev', 'sys', 'etc', 'data']) {
    mkdirSync(join(rootfs, dir), { recursive: true });
  }
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n');
  for (const applet of applets) {
    // The binary itself is already there; a link named busybox would replace it.
    if (applet === '' || applet === 'busybox') continue;
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
}
