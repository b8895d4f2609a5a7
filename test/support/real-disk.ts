import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real disk trouble for tests: a small file system of its own (tmpfs) really filled, and an ext4
 * image really turned read-only by the kernel (errors=remount-ro after a disk error). Needs root
 * (mount); tests that use it are reported as skipped without it, never passed.
 */

export function run(command: string, args: readonly string[]): { ok: boolean; status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { ok: result.status === 0, status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function isRoot(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0;
}

/** Mounting a tmpfs is allowed here (root, not a restricted container). */
export function canMountTmpfs(): boolean {
  if (!isRoot()) return false;
  const dir = mkdtempSync(join(tmpdir(), 'nws-mount-probe-'));
  try {
    if (!run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]).ok) return false;
    return run('umount', [dir]).ok;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An ext4 image can be loop-mounted and told to fail (/sys/fs/ext4/<dev>/trigger_fs_error). */
export function canFailExt4(): boolean {
  return isRoot() && existsSync('/sys/fs/ext4') && run('mkfs.ext4', ['-V']).ok && run('e2fsck', ['-V']).ok && existsSync('/dev/loop-control');
}

/** Writes a file until the file system has not one byte left; returns its path. */
export function fillDisk(dir: string, name = 'filler'): string {
  const file = join(dir, name);
  const fd = openSync(file, 'w');
  try {
    for (const size of [1 << 20, 1 << 16, 1 << 12, 1 << 9, 1]) {
      const chunk = Buffer.alloc(size, 0x55);
      try {
        for (;;) if (writeSync(fd, chunk) === 0) break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

/** A tmpfs of `size` (e.g. `64m`) mounted on a fresh directory: filled and freed under a running process. */
export class TmpfsDisk {
  private filler: string | undefined;
  private mounted = false;
  readonly mountPoint: string;

  constructor(private readonly size: string) {
    this.mountPoint = mkdtempSync(join(tmpdir(), 'nws-tmpfs-'));
  }

  mount(): void {
    const mount = run('mount', ['-t', 'tmpfs', '-o', `size=${this.size}`, 'tmpfs', this.mountPoint]);
    if (!mount.ok) throw new Error(`mount tmpfs: ${mount.output}`);
    this.mounted = true;
  }

  /** Fills every byte left (outside any data directory below the mount point). */
  fill(): void {
    this.filler = fillDisk(this.mountPoint, 'filler');
  }

  get bytesAvailable(): number {
    const stats = statfsSync(this.mountPoint);
    return stats.bavail * stats.bsize;
  }

  free(): void {
    if (this.filler) unlinkSync(this.filler);
    this.filler = undefined;
  }

  /** Unmounts (lazily when files are still open after a failure) and removes the mount point. */
  dispose(): void {
    if (this.mounted && !run('umount', [this.mountPoint]).ok) run('umount', ['-l', this.mountPoint]);
    this.mounted = false;
    rmSync(this.mountPoint, { recursive: true, force: true });
  }
}

/**
 * An ext4 image loop-mounted with errors=remount-ro. `fail()` reports a file-system error to the
 * kernel, which aborts the journal and remounts it read-only under the open files (an emergency
 * read-only remount: `mount -o remount,rw` is refused until it is unmounted and checked).
 * `repair()`: unmount, e2fsck, mount — the operator's way back, with every process using it stopped.
 */
export class Ext4Disk {
  private mounted = false;
  readonly mountPoint: string;
  private readonly work: string;
  private readonly image: string;

  constructor(private readonly size: string) {
    this.work = mkdtempSync(join(tmpdir(), 'nws-ext4-'));
    this.image = join(this.work, 'data.img');
    this.mountPoint = join(this.work, 'mnt');
    mkdirSync(this.mountPoint);
  }

  create(): void {
    closeSync(openSync(this.image, 'w'));
    if (!run('truncate', ['-s', this.size, this.image]).ok || !run('mkfs.ext4', ['-q', '-F', this.image]).ok) throw new Error('cannot make the ext4 image');
    this.mount();
  }

  private mount(): void {
    const mount = run('mount', ['-o', 'loop,errors=remount-ro', this.image, this.mountPoint]);
    if (!mount.ok) throw new Error(`mount ext4 image: ${mount.output}`);
    this.mounted = true;
  }

  private unmount(): void {
    if (this.mounted && !run('umount', [this.mountPoint]).ok) run('umount', ['-l', this.mountPoint]);
    this.mounted = false;
  }

  /** The kernel's own error path: the file system is remounted read-only now. */
  fail(): void {
    const device = run('findmnt', ['-n', '-o', 'SOURCE', this.mountPoint]).output.trim().replace(/^\/dev\//, '');
    const trigger = run('sh', ['-c', `echo 1 > /sys/fs/ext4/${device}/trigger_fs_error`]);
    if (!trigger.ok) throw new Error(`trigger_fs_error on ${device}: ${trigger.output}`);
  }

  get readOnly(): boolean {
    return /(^|,)ro(,|$)|emergency_ro/.test(run('findmnt', ['-n', '-o', 'OPTIONS', this.mountPoint]).output.trim());
  }

  /** Unmount, check and repair, mount again; returns e2fsck's exit status (0 clean, 1 errors corrected). */
  repair(): number | null {
    this.unmount();
    const fsck = run('e2fsck', ['-f', '-y', this.image]);
    this.mount();
    return fsck.status;
  }

  dispose(): void {
    this.unmount();
    rmSync(this.work, { recursive: true, force: true });
  }
}
