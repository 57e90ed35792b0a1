/**
 * Progress on stderr: a live spinner with elapsed time on a terminal, one line
 * per step otherwise (CI logs, pipes).
 */
export class Progress {
  private timer: NodeJS.Timeout | undefined;
  private label = "";
  private started = 0;
  private readonly tty = Boolean(process.stderr.isTTY);

  step(label: string): void {
    this.stop();
    this.label = label;
    this.started = Date.now();
    if (!this.tty) {
      process.stderr.write(`… ${label}\n`);
      return;
    }
    const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    let i = 0;
    const draw = () => process.stderr.write(`\r${frames[i++ % frames.length]} ${this.label} ${((Date.now() - this.started) / 1000).toFixed(1)}s\x1b[K`);
    draw();
    this.timer = setInterval(draw, 100);
    this.timer.unref();
  }

  /** Renames the running step (keeps its clock). */
  update(label: string): void {
    this.label = label;
    if (!this.tty) process.stderr.write(`… ${label}\n`);
  }

  done(message?: string): void {
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    this.stop();
    process.stderr.write(`${this.tty ? "\r\x1b[K" : ""}✔ ${message ?? this.label} (${secs}s)\n`);
  }

  fail(): void {
    if (this.tty && this.timer) process.stderr.write("\r\x1b[K");
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
