/** The file-system calls the probe makes (node:fs's, passed in: the writer thread builds the probe from source text). */
export interface ProbeFileSystem {
  renameSync(from: string, to: string): void;
  mkdirSync(path: string): unknown;
}

/**
 * After a COMMIT returned and before anyone is told "stored": does the file system still take a
 * change? On Linux ext4 an fsync can return success for data the file system then drops. When the
 * journal aborts during the fsync (a disk or metadata error under errors=remount-ro), blocks newly
 * allocated to the write-ahead log were written as unwritten extents whose conversion to written
 * needs the journal and fails; the fsync waited only for the page writeback and a transaction the
 * abort marked done, and reports 0. After fsck those log frames read as zeros and the commit is
 * gone — seen here: one in 90 to 300 read-only episodes of the disk-trouble reliability
 * test lost an acknowledged transition. A metadata change begun after the fsync fails once the
 * journal has aborted (ext4_journal_check_start), so renaming a probe directory tells; on a healthy
 * file system it costs ~3 µs and joins the running journal transaction (no I/O of its own).
 *
 * The probe is a directory (two names, alternating) so tools that take every file in the data
 * directory for a database skip it. Each thread that probes gives its own `name` (the writer's
 * commits: 'commit-probe'; the checkpoint thread: 'checkpoint-probe'; the access log's:
 * 'access-log-probe'), so two threads of one process never race for one; two processes on one
 * data directory may, and a lost race is probed again rather than taken for a refusal. Throws the file system's error (EROFS, EIO, ENOSPC…); the
 * caller answers the batch "outcome unknown": committed as far as SQLite knows, durability not
 * confirmed, the same Idempotency-Key tells later.
 *
 * Like batchWriter, it may use nothing but its arguments (no imports, no module-level helpers).
 */
export function commitProbe(fs: ProbeFileSystem, directory: string, name = 'commit-probe'): () => void {
  const a = `${directory}/.${name}-a`;
  const b = `${directory}/.${name}-b`;
  let at = a;
  const once = () => {
    const to = at === a ? b : a;
    try {
      fs.renameSync(at, to);
    } catch (error) {
      // First use, or the other name is the one on disk (a restart): creating it is a change too.
      if ((error as { code?: unknown } | null)?.code !== 'ENOENT') throw error;
      try {
        fs.mkdirSync(to);
      } catch (made) {
        if ((made as { code?: unknown } | null)?.code !== 'EEXIST') throw made;
        // It was there already: no change made yet, so rename it back to the first name.
        fs.renameSync(to, at);
        return;
      }
    }
    at = to;
  };
  return () => {
    // Another process probing the same directory (the CLI beside the API) can move the probe
    // between our mkdir's EEXIST and the rename back: that ENOENT says someone else's change went
    // through, not that the file system refuses ours, so probe again. A refusal (EROFS, EIO…)
    // is thrown at once; a directory that is gone keeps answering ENOENT and is thrown too.
    for (let attempt = 1; ; attempt++) {
      try {
        once();
        return;
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== 'ENOENT' || attempt >= 3) throw error;
      }
    }
  };
}
