export const STOPPED = Symbol("stopped");

/**
 * The user's Stop for one reply. Stop shows as soon as a send starts, and the reply may then
 * still be waiting for the model to load or for its prompt to be fitted, where no engine is
 * generating anything that could be interrupted. Every such wait races this, so a Stop ends
 * the reply at once, whatever phase it is in.
 */
export class ReplyStop {
  #requested = false;
  #resolve: () => void = () => undefined;
  readonly #stopped = new Promise<typeof STOPPED>((resolve) => {
    this.#resolve = () => resolve(STOPPED);
  });

  get requested(): boolean {
    return this.#requested;
  }

  request(): void {
    this.#requested = true;
    this.#resolve();
  }

  /**
   * The task's result, or STOPPED as soon as Stop is pressed (also when it already was). The
   * task itself goes on; a model that is loading finishes loading for the next message.
   */
  race<T>(task: Promise<T>): Promise<T | typeof STOPPED> {
    if (this.#requested) {
      task.catch(() => undefined);
      return Promise.resolve(STOPPED);
    }
    return Promise.race([task, this.#stopped]);
  }
}
