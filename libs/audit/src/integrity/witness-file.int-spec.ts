import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GENESIS_HASH } from '@nws/event-store';
import { tempStore } from '../testing/seed-store';
import { SEAL_STREAM, makeSeal, type SealRecord } from './seal';
import { Sealer } from './sealer';
import { verifyStore } from './store-verifier';
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

  /** Fills the tmpfs to its last page with a file named filler (removing it makes room again). */
  function fillDisk(): void {
    const filler = openSync(join(mountPoint, 'filler'), 'w');
    try {
      for (;;) writeSync(filler, Buffer.alloc(4096));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(filler);
    }
  }

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
      fillDisk();

      expect(() => witness.append(seal(last.sequence + 1, last.sealHash))).toThrow(/ENOSPC|disk full/);
      expect(statSync(witness.path).size).toBe(size);
      expect(witness.last()).toEqual(last);
    } finally {
      witness.close();
    }
  });

  it('a sealer whose witness cannot be written never lets the store get two seals ahead of it, and brings it up to the store once there is room', async () => {
    expect(mounted).toBe(true);
    rmSync(join(mountPoint, 'filler'), { force: true });
    const temp = tempStore();
    const store = temp.open();
    const witness = new WitnessFile(join(mountPoint, 'sealer-seals.jsonl'));
    const errors: unknown[] = [];
    const sealer = new Sealer(store, { witness, debounceMs: 5, onError: (error) => errors.push(error) });
    const storeSeals = async () => {
      let n = 0;
      for await (const _ of store.readStream(SEAL_STREAM)) n += 1;
      return n;
    };
    const witnessSeals = async () => {
      let n = 0;
      for await (const _ of witness.read()) n += 1;
      return n;
    };
    const sealOne = async () => {
      await store.append(`application-${randomUUID()}`, [{ id: randomUUID(), type: 'FormSaved', data: {}, metadata: {} }], 'no_stream');
      await sealer.flush();
    };
    try {
      await sealer.start();
      await sealOne();
      expect(await witnessSeals()).toBe(await storeSeals());
      fillDisk();
      // A page of seal lines is more than the room left in the witness's last page.
      const behind: number[] = [];
      for (let round = 0; round < 20; round++) {
        await sealOne();
        behind.push((await storeSeals()) - (await witnessSeals()));
      }
      expect(errors.some((error) => /ENOSPC|disk full/.test(String(error)))).toBe(true);
      expect(Math.max(...behind)).toBe(1);
      expect(await verifyStore(store, { witness })).toMatchObject({ valid: true });

      rmSync(join(mountPoint, 'filler'));
      await sealOne();
      await sealOne();
      const sealed: unknown[] = [];
      for await (const event of store.readStream(SEAL_STREAM)) sealed.push(event.data);
      const witnessed: unknown[] = [];
      for await (const seal of witness.read()) witnessed.push(seal);
      expect(witnessed).toEqual(sealed);
      expect(await verifyStore(store, { witness })).toMatchObject({ valid: true, unsealedEvents: 0, problems: [] });
    } finally {
      await sealer.stop();
      await store.close();
      temp.remove();
    }
  });
});

describe('the witness file after a stop in the middle of a write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nws-witness-torn-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const withLines = (name: string, text: string) => {
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    writeSync(fd, text);
    closeSync(fd);
    return new WitnessFile(path);
  };
  const first = seal(1, GENESIS_HASH);
  const second = seal(2, first.sealHash);
  const lines = `${JSON.stringify(first)}\n${JSON.stringify(second)}\n`;
  const collect = async (witness: WitnessFile) => {
    const out: SealRecord[] = [];
    for await (const record of witness.read()) out.push(record);
    return out;
  };

  it('a last line cut short (no newline, no seal) is passed over by read and last: the seals before it are the witness', async () => {
    const witness = withLines('torn.jsonl', `${lines}{"sequence":3,"fromPo`);
    expect(await collect(witness)).toEqual([first, second]);
    expect(witness.last()).toEqual(second);
  });

  it('a line that is no seal anywhere else is still reported: in the middle, or complete at the end', async () => {
    await expect(collect(withLines('middle.jsonl', `${JSON.stringify(first)}\nnot a seal\n${JSON.stringify(second)}\n`))).rejects.toThrow(/:2: not a seal record/);
    const ended = withLines('ended.jsonl', `${lines}not a seal\n`);
    await expect(collect(ended)).rejects.toThrow(/:3: not a seal record/);
    expect(() => ended.last()).toThrow(/last line: not a seal record/);
  });
});
