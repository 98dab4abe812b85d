// Discrete-event simulator for the data plane: simulated threads (async functions) that wait only on virtual
// time or on each other, so a load run with thousands of delayed requests finishes at once in real time while
// still obeying concurrency, delays and timeouts.
//
// How it stays correct without a macrotask per event: every simulated thread is started with `spawn` (or
// `run` from outside), and every wait goes through the clock (`sleep`, `Gate.wait`, `race`). The clock counts
// the threads that can still make progress in the microtask queue; only when that count reaches zero does it
// advance virtual time to the next event (ordered by time, ties by scheduling order). Awaiting a plain promise
// that is resolved by another simulated thread is not allowed: use a Gate or `join`.

/** A timer that can be cancelled before it fires. */
export interface TimerHandle {
  cancel(): void;
}

/** One scheduled callback; it knows its heap slot so a cancellation removes it at once. */
class TimedEvent implements TimerHandle {
  /** Position in the queue's heap, -1 once it fired or was cancelled. */
  index = -1;

  constructor(
    readonly at: number,
    readonly seq: number,
    /** The callback, or the resolve function of a sleeping thread when `wakes` is set. */
    readonly fire: () => void,
    /** Firing wakes a simulated thread (the clock counts it as runnable first). */
    readonly wakes: boolean,
    private readonly queue: EventQueue,
  ) {}

  cancel(): void {
    if (this.index !== -1) this.queue.remove(this);
  }
}

/** Min-heap of pending events ordered by (virtual time, sequence); cancelled events leave it at once. */
class EventQueue {
  private readonly items: TimedEvent[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: TimedEvent): void {
    this.items.push(event);
    this.siftUp(event, this.items.length - 1);
  }

  pop(): TimedEvent | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop() as TimedEvent;
    top.index = -1;
    if (last !== top) this.siftDown(last, 0);
    return top;
  }

  remove(event: TimedEvent): void {
    const items = this.items;
    const index = event.index;
    event.index = -1;
    const last = items.pop() as TimedEvent;
    if (last === event) return;
    // The last event takes the freed slot, then moves whichever way the order needs.
    const parent = items[(index - 1) >> 1];
    if (index > 0 && parent !== undefined && EventQueue.before(last, parent)) this.siftUp(last, index);
    else this.siftDown(last, index);
  }

  private siftUp(event: TimedEvent, from: number): void {
    const items = this.items;
    let index = from;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentItem = items[parent] as TimedEvent;
      if (!EventQueue.before(event, parentItem)) break;
      items[index] = parentItem;
      parentItem.index = index;
      index = parent;
    }
    items[index] = event;
    event.index = index;
  }

  private siftDown(event: TimedEvent, from: number): void {
    const items = this.items;
    const length = items.length;
    let index = from;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && EventQueue.before(items[right] as TimedEvent, items[left] as TimedEvent)) child = right;
      const childItem = items[child] as TimedEvent;
      if (!EventQueue.before(childItem, event)) break;
      items[index] = childItem;
      childItem.index = index;
      index = child;
    }
    items[index] = event;
    event.index = index;
  }

  private static before(a: TimedEvent, b: TimedEvent): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/**
 * A one-shot signal simulated threads can wait on (a promise the clock knows about). `open(value)` wakes every
 * waiter; waiting on an open gate returns at once.
 */
export class Gate<T = void> {
  private opened = false;
  private value: T | undefined;
  /** The first waiter (almost always the only one); later ones queue in `others`. */
  private waiter: ((value: T) => void) | undefined;
  private others: ((value: T) => void)[] | undefined;

  constructor(private readonly clock: SimClock) {}

  get isOpen(): boolean {
    return this.opened;
  }

  open(value: T): void {
    if (this.opened) return;
    this.opened = true;
    this.value = value;
    const first = this.waiter;
    const others = this.others;
    this.waiter = undefined;
    this.others = undefined;
    if (first) {
      this.clock.markRunnable();
      first(value);
    }
    if (others) {
      for (const wake of others) {
        this.clock.markRunnable();
        wake(value);
      }
    }
  }

  wait(): Promise<T> {
    if (this.opened) return Promise.resolve(this.value as T);
    this.clock.markBlocked();
    return new Promise<T>((resolve) => {
      if (this.waiter === undefined) this.waiter = resolve;
      else (this.others ??= []).push(resolve);
    });
  }
}

export interface SimClockOptions {
  /** Real milliseconds since the epoch, used to keep virtual time from falling behind the wall clock (tests inject it). */
  wallClock?: () => number;
  /** Epoch milliseconds that virtual time 0 stands for (access-log timestamps). Defaults to wallClock() at creation. */
  epochMs?: number;
}

export type RaceOutcome<T> = { finished: true; value: T } | { finished: false };

export type TaskOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A spawned simulated thread; observers are told synchronously when it settles, before time can advance. */
export class SimTask<T> {
  private outcome: TaskOutcome<T> | undefined;
  /** Observers waiting for the outcome (allocated on the first one). */
  private observers: ((outcome: TaskOutcome<T>) => void)[] | undefined;

  get settled(): boolean {
    return this.outcome !== undefined;
  }

  onSettled(observer: (outcome: TaskOutcome<T>) => void): void {
    if (this.outcome) observer(this.outcome);
    else (this.observers ??= []).push(observer);
  }

  /** Used by the clock only. */
  settle(outcome: TaskOutcome<T>): void {
    this.outcome = outcome;
    const observers = this.observers;
    this.observers = undefined;
    if (observers) for (const observer of observers) observer(outcome);
  }
}

export class SimClock {
  private readonly queue = new EventQueue();
  private sequence = 0;
  private current = 0;
  /** Simulated threads that can still run in the microtask queue. */
  private runnable = 0;
  /** Top-level runs in progress; time advances only while one is. */
  private foreground = 0;
  private stepQueued = false;
  private readonly wallClock: () => number;
  readonly epochMs: number;
  private eventsFired = 0;
  /** `step` bound once, for queueMicrotask. */
  private readonly stepCallback = (): void => this.step();

  constructor(options: SimClockOptions = {}) {
    this.wallClock = options.wallClock ?? Date.now;
    this.epochMs = options.epochMs ?? this.wallClock();
  }

  /** Virtual milliseconds since the clock's epoch. */
  now(): number {
    return this.current;
  }

  /** Epoch milliseconds of the current virtual instant. */
  epochNow(): number {
    return this.epochMs + this.current;
  }

  /** How many timed events have fired so far (for benchmarks). */
  get firedEvents(): number {
    return this.eventsFired;
  }

  /**
   * Runs `body` as a top-level simulated thread and resolves with its result once it finishes in virtual time.
   * It starts at the later of the current virtual time and the wall clock, after every earlier leftover event
   * (work abandoned by earlier runs, such as a request whose caller timed out, finishes in the background).
   */
  run<T>(body: () => Promise<T>): Promise<T> {
    this.foreground += 1;
    const startAt = Math.max(this.current, this.wallClock() - this.epochMs);
    return new Promise<T>((resolve, reject) => {
      this.schedule(startAt - this.current, () => {
        const task = this.spawn(body);
        task.onSettled((outcome) => {
          this.foreground -= 1;
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        });
      });
      this.maybeStep();
    });
  }

  /** Starts a concurrent simulated thread (from inside a simulated thread, or from `run`). */
  spawn<T>(body: () => Promise<T>): SimTask<T> {
    this.markRunnable();
    const task = new SimTask<T>();
    let promise: Promise<T>;
    try {
      promise = body();
    } catch (error) {
      promise = Promise.reject(error);
    }
    void this.settleWhenDone(task, promise);
    return task;
  }

  /** Settles a spawned thread's task once its body's promise does (one microtask after, like `then`). */
  private async settleWhenDone<T>(task: SimTask<T>, promise: Promise<T>): Promise<void> {
    let outcome: TaskOutcome<T>;
    try {
      outcome = { ok: true, value: await promise };
    } catch (error) {
      outcome = { ok: false, error };
    }
    task.settle(outcome);
    this.threadDone();
  }

  /** Waits `ms` of virtual time (the timed event resolves the thread's promise directly). */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.schedule(ms, resolve, true);
      this.markBlocked();
    });
  }

  /** Calls `fire` after `ms` of virtual time unless cancelled (the callback must not await). */
  setTimer(ms: number, fire: () => void): TimerHandle {
    return this.schedule(ms, fire, false);
  }

  gate<T = void>(): Gate<T> {
    return new Gate<T>(this);
  }

  /** Waits for a spawned thread to finish and returns its result (or rethrows its error). */
  async join<T>(task: SimTask<T>): Promise<T> {
    const gate = new Gate<TaskOutcome<T>>(this);
    task.onSettled((outcome) => gate.open(outcome));
    const outcome = await gate.wait();
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Waits for a spawned thread, or `timeoutMs` of virtual time, whichever comes first (undefined = no limit). */
  async race<T>(task: SimTask<T>, timeoutMs: number | undefined): Promise<RaceOutcome<T>> {
    if (timeoutMs === undefined || !Number.isFinite(timeoutMs)) return { finished: true, value: await this.join(task) };
    // The gate opens with the task's outcome, or with undefined when the timeout fires first.
    const gate = new Gate<TaskOutcome<T> | undefined>(this);
    const timer = this.setTimer(Math.max(0, timeoutMs), () => gate.open(undefined));
    task.onSettled((outcome) => gate.open(outcome));
    const outcome = await gate.wait();
    timer.cancel();
    if (outcome === undefined) return { finished: false };
    if (!outcome.ok) throw outcome.error;
    return { finished: true, value: outcome.value };
  }

  /** Runs every body concurrently as its own thread and waits for all of them. */
  async all<T>(bodies: (() => Promise<T>)[]): Promise<T[]> {
    const tasks = bodies.map((body) => this.spawn(body));
    const results: T[] = [];
    for (const task of tasks) results.push(await this.join(task));
    return results;
  }

  // --- internals ----------------------------------------------------------------------------------------------

  /** Called when a waiter is woken (it will run in the microtask queue). */
  markRunnable(): void {
    this.runnable += 1;
  }

  /** Called when a thread starts waiting on the clock. */
  markBlocked(): void {
    this.runnable -= 1;
    if (this.runnable < 0) throw new Error("SimClock: a thread waited that the clock never started (use spawn/run)");
    this.maybeStep();
  }

  private threadDone(): void {
    this.runnable -= 1;
    this.maybeStep();
  }

  private schedule(delayMs: number, fire: () => void, wakes = false): TimedEvent {
    const event = new TimedEvent(this.current + Math.max(0, delayMs), this.sequence++, fire, wakes, this.queue);
    this.queue.push(event);
    return event;
  }

  private maybeStep(): void {
    if (this.stepQueued || this.runnable > 0 || this.foreground === 0) return;
    this.stepQueued = true;
    queueMicrotask(this.stepCallback);
  }

  /** Fires events one after another, in order, while no thread can run. */
  private step(): void {
    this.stepQueued = false;
    while (this.runnable === 0 && this.foreground > 0) {
      const event = this.queue.pop();
      if (!event) return;
      this.current = Math.max(this.current, event.at);
      this.eventsFired += 1;
      if (event.wakes) this.markRunnable();
      event.fire();
    }
    this.maybeStep();
  }
}
