/**
 * A small progress bar on stderr (stdout may carry the data: an export, JSON Lines). On a TTY it
 * redraws one line; elsewhere, with --progress, it prints a line every 10 %. No dependency:
 * `cli-progress` would add ETA formatting and multi-bars, which these commands do not need.
 */
export class ProgressBar {
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly started = Date.now();

  constructor(
    private readonly label: string,
    private readonly enabled: boolean,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const ratio = total > 0 ? Math.min(1, done / total) : 0;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(ratio * width);
      this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${this.elapsed()}`);
    } else {
      const decile = Math.floor(ratio * 10);
      if (decile === this.lastDecile) return;
      this.lastDecile = decile;
      this.stream.write(`${this.label}: ${decile * 10}% (${done.toLocaleString('en')}/${total.toLocaleString('en')}, ${this.elapsed()})\n`);
    }
  }

  finish(): void {
    if (this.enabled && this.stream.isTTY) this.stream.write('\n');
  }

  private elapsed(): string {
    return `${((Date.now() - this.started) / 1000).toFixed(1)} s`;
  }
}

/** --progress forces it, --no-progress silences it; by default it shows on a terminal only. */
export function showProgress(flag: boolean | undefined): boolean {
  return flag ?? process.stderr.isTTY === true;
}
