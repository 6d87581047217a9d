/**
 * Progress of a long task on stderr: a bar redrawn in place on a terminal,
 * a plain line every few seconds otherwise (CI logs, pipes).
 */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private done = 0;
  private drawnDone = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    this.done = done;
    const now = Date.now();
    const interval = this.stream.isTTY ? 100 : 2_000;
    if (now - this.lastDraw >= interval) this.draw(now);
  }

  finish(): void {
    if (this.drawnDone !== this.done) this.draw(Date.now());
    if (this.stream.isTTY) this.stream.write('\n');
  }

  /** Events per second since the start. */
  rate(): number {
    const seconds = (Date.now() - this.started) / 1000;
    return seconds > 0 ? this.done / seconds : 0;
  }

  private draw(now: number): void {
    this.lastDraw = now;
    this.drawnDone = this.done;
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const counts = `${this.done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}`;
    const rate = `${Math.round(this.rate()).toLocaleString('en-US')} ev/s`;
    if (!this.stream.isTTY) {
      this.stream.write(`${this.label}: ${counts} (${Math.round(fraction * 100)}%), ${rate}\n`);
      return;
    }
    const width = 30;
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.stream.write(`\r${this.label} [${bar}] ${counts} ${rate}   `);
  }
}
