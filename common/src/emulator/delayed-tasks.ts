/** Tasks run later (a notification's next attempt), all cancelled at once when the emulator stops. */
export class DelayedTasks {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs `task` after `delayMs` (at once when 0), unless stopped first. */
  later(delayMs: number, task: () => Promise<void>): void {
    if (delayMs <= 0) return void task();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, delayMs);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
