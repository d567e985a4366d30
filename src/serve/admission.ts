/** Why a request was not admitted: the server is at its bound of running and queued runs. */
export class Busy extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many runs');
  }
}

/**
 * At most `maxRuns` runs at once, up to `maxQueued` waiting; beyond that a request is
 * refused at once (429) rather than left to time out. Identical requests in flight share
 * one run: twenty controllers asking the same question at once cost one run.
 */
export class Admission {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly maxRuns: number, private readonly maxQueued: number, private readonly retryAfterSeconds: number) {}

  get active(): number {
    return this.running + this.waiting.length;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const shared = this.inFlight.get(key);
    if (shared) return shared as Promise<T>;
    if (this.running >= this.maxRuns && this.waiting.length >= this.maxQueued) return Promise.reject(new Busy(this.retryAfterSeconds));
    const promise = this.slot().then(async (release) => {
      try {
        return await work();
      } finally {
        release();
      }
    });
    this.inFlight.set(key, promise);
    const forget = () => this.inFlight.delete(key);
    promise.then(forget, forget);
    return promise;
  }

  private slot(): Promise<() => void> {
    const release = () => {
      this.running--;
      this.waiting.shift()?.();
    };
    if (this.running < this.maxRuns) {
      this.running++;
      return Promise.resolve(release);
    }
    return new Promise((resolve) =>
      this.waiting.push(() => {
        this.running++;
        resolve(release);
      }),
    );
  }
}
