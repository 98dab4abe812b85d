// Discrete-event simulator for the data plane: simulated threads (async functions) that wait only on virtual
// time or on each other, so a load run with thousands of delayed requests finishes at once in real time while
// still obeying concurrency, delays and timeouts.
//
// How it stays correct without a macrotask per event: every simulated thread is started with `spawn` (or
// `run` from outside), and every wait goes through the clock (`sleep`, `Gate.wait`, `race`). The clock counts
// the threads that can still make progress in the microtask queue; only when that count reaches zero does it
// advance virtual time to the next event (ordered by time, ties by scheduling order). Awaiting a plain promise
// that is resolved by another simulated thread is not allowed: use a Gate or `join`.

interface TimedEvent {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
  fired: boolean;
}

/** A timer that can be cancelled before it fires. */
export interface TimerHandle {
  cancel(): void;
}

/** Min-heap of events ordered by (virtual time, sequence); cancelled events are dropped lazily or on compaction. */
class EventQueue {
  private items: TimedEvent[] = [];
  private cancelled = 0;

  get size(): number {
    return this.items.length;
  }

  /** Notes a cancellation; rebuilds the heap without cancelled events when they dominate it. */
  noteCancelled(): void {
    this.cancelled += 1;
    if (this.cancelled > 512 && this.cancelled * 2 > this.items.length) {
      const live = this.items.filter((event) => !event.cancelled);
      this.items = [];
      this.cancelled = 0;
      for (const event of live) this.push(event);
    }
  }

  /** A cancelled event left the heap through pop(). */
  droppedCancelled(): void {
    if (this.cancelled > 0) this.cancelled -= 1;
  }

  peek(): TimedEvent | undefined {
    return this.items[0];
  }

  push(event: TimedEvent): void {
    const items = this.items;
    items.push(event);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentItem = items[parent] as TimedEvent;
      if (!EventQueue.before(event, parentItem)) break;
      items[index] = parentItem;
      index = parent;
    }
    items[index] = event;
  }

  pop(): TimedEvent | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let index = 0;
    const length = items.length;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = left;
      if (right < length && EventQueue.before(items[right] as TimedEvent, items[left] as TimedEvent)) child = right;
      const childItem = items[child] as TimedEvent;
      if (!EventQueue.before(childItem, last)) break;
      items[index] = childItem;
      index = child;
    }
    items[index] = last;
    return top;
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
  private value: { v: T } | undefined;
  private waiters: ((value: T) => void)[] = [];

  constructor(private readonly clock: SimClock) {}

  get isOpen(): boolean {
    return this.value !== undefined;
  }

  open(value: T): void {
    if (this.value) return;
    this.value = { v: value };
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) {
      this.clock.markRunnable();
      wake(value);
    }
  }

  wait(): Promise<T> {
    if (this.value) return Promise.resolve(this.value.v);
    this.clock.markBlocked();
    return new Promise<T>((resolve) => this.waiters.push(resolve));
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
  private observers: ((outcome: TaskOutcome<T>) => void)[] = [];

  get settled(): boolean {
    return this.outcome !== undefined;
  }

  onSettled(observer: (outcome: TaskOutcome<T>) => void): void {
    if (this.outcome) observer(this.outcome);
    else this.observers.push(observer);
  }

  /** Used by the clock only. */
  settle(outcome: TaskOutcome<T>): void {
    this.outcome = outcome;
    const observers = this.observers;
    this.observers = [];
    for (const observer of observers) observer(outcome);
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
    promise.then(
      (value) => {
        task.settle({ ok: true, value });
        this.threadDone();
      },
      (error: unknown) => {
        task.settle({ ok: false, error });
        this.threadDone();
      },
    );
    return task;
  }

  /** Waits `ms` of virtual time. */
  sleep(ms: number): Promise<void> {
    const gate = new Gate<void>(this);
    this.schedule(ms, () => gate.open());
    return gate.wait();
  }

  /** Calls `fire` after `ms` of virtual time unless cancelled (the callback must not await). */
  setTimer(ms: number, fire: () => void): TimerHandle {
    const event = this.schedule(ms, fire);
    return {
      cancel: () => {
        if (event.cancelled || event.fired) return;
        event.cancelled = true;
        this.queue.noteCancelled();
      },
    };
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
    const gate = new Gate<TaskOutcome<T> | { timeout: true }>(this);
    const timer = this.setTimer(Math.max(0, timeoutMs), () => gate.open({ timeout: true }));
    task.onSettled((outcome) => gate.open(outcome));
    const outcome = await gate.wait();
    timer.cancel();
    if ("timeout" in outcome) return { finished: false };
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

  private schedule(delayMs: number, fire: () => void): TimedEvent {
    const event: TimedEvent = { at: this.current + Math.max(0, delayMs), seq: this.sequence++, fire, cancelled: false, fired: false };
    this.queue.push(event);
    return event;
  }

  private maybeStep(): void {
    if (this.stepQueued || this.runnable > 0 || this.foreground === 0) return;
    this.stepQueued = true;
    queueMicrotask(() => this.step());
  }

  /** Fires every event due at the next instant, once no thread can run. */
  private step(): void {
    this.stepQueued = false;
    while (this.runnable === 0 && this.foreground > 0) {
      const event = this.queue.pop();
      if (!event) return;
      if (event.cancelled) {
        this.queue.droppedCancelled();
        continue;
      }
      event.fired = true;
      this.current = Math.max(this.current, event.at);
      this.eventsFired += 1;
      event.fire();
    }
    this.maybeStep();
  }
}
