import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS_HASH } from '@nws/event-store';
import { makeSeal, type SealRecord } from './seal';
import { WitnessFile } from './witness-file';

const run = (command: string, args: readonly string[]) => spawnSync(command, args, { encoding: 'utf8' }).status === 0;

/** Root on Linux and mount allowed: the test gets a real file system it can fill. */
function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const dir = mkdtempSync(join(tmpdir(), 'nws-mount-probe-'));
  try {
    return run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]) && run('umount', [dir]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const seal = (sequence: number, previous: string): SealRecord =>
  makeSeal({ sequence, fromPosition: sequence, toPosition: sequence, count: 1, rollingHash: 'a'.repeat(64), previousSealHash: previous, sealedAt: '2026-11-20T00:00:00.000Z' });

const maybe = canMountTmpfs() ? describe : describe.skip;

maybe('the witness file on a disk that fills up (tmpfs)', () => {
  const mountPoint = mkdtempSync(join(tmpdir(), 'nws-witness-full-'));
  let mounted = false;
  beforeAll(() => (mounted = run('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint])));
  afterAll(() => {
    // A file left open by a failed assertion keeps the mount busy: detach it lazily then.
    if (mounted && !run('umount', [mountPoint])) run('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  it('a seal line the disk takes only in part is cut off again: the witness never ends in a malformed line', () => {
    expect(mounted).toBe(true);
    const witness = new WitnessFile(join(mountPoint, 'seals.jsonl'));
    try {
      // Seals until the next line would cross into a page tmpfs cannot allocate once the disk is full.
      let last = seal(1, GENESIS_HASH);
      witness.append(last);
      const lineLength = () => Buffer.byteLength(`${JSON.stringify(seal(last.sequence + 1, last.sealHash))}\n`);
      while ((statSync(witness.path).size % 4096) + lineLength() <= 4096) {
        last = seal(last.sequence + 1, last.sealHash);
        witness.append(last);
      }
      const size = statSync(witness.path).size;
      const filler = openSync(join(mountPoint, 'filler'), 'w');
      try {
        for (;;) writeSync(filler, Buffer.alloc(4096));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        closeSync(filler);
      }

      expect(() => witness.append(seal(last.sequence + 1, last.sealHash))).toThrow(/ENOSPC|disk full/);
      expect(statSync(witness.path).size).toBe(size);
      expect(witness.last()).toEqual(last);
    } finally {
      witness.close();
    }
  });
});
