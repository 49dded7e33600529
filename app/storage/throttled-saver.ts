/**
 * Coalesces saves of the same key: while a reply streams, the conversation changes per token,
 * but IndexedDB sees at most one write per `intervalMs` per conversation. The latest value
 * always wins and `flush()` writes whatever is waiting (end of a reply, page hide).
 */
export class ThrottledSaver<T> {
  private readonly waiting = new Map<string, T>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  /** Keys whose last write failed, with the error; a key leaves only when it is saved. */
  private readonly failures = new Map<string, unknown>();

  constructor(
    private readonly write: (value: T) => Promise<void>,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  schedule(key: string, value: T): void {
    this.waiting.set(key, value);
    if (this.timers.has(key)) return;
    this.timers.set(
      key,
      setTimeout(() => void this.flushKey(key), this.intervalMs),
    );
  }

  async flush(): Promise<void> {
    await Promise.all([...this.waiting.keys()].map((key) => this.flushKey(key)));
  }

  /** The error of a key still unsaved, or undefined when everything is saved. */
  get failed(): unknown {
    return this.failures.values().next().value;
  }

  private async flushKey(key: string): Promise<void> {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    const value = this.waiting.get(key);
    if (value === undefined) return;
    this.waiting.delete(key);
    try {
      await this.write(value);
      this.failures.delete(key);
    } catch (error) {
      // Keep the value so a retry can save it; a newer schedule() replaces it.
      if (!this.waiting.has(key)) this.waiting.set(key, value);
      this.failures.set(key, error);
      this.onError(error);
    }
  }
}
