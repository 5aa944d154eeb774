/**
 * The calls one Redis guard has in flight, with their deadlines, under ONE timer per guard
 * (not a `setTimeout`/`clearTimeout` pair per call, which cost more than the rest of the
 * guard on the hot path).
 *
 * Every call is added with the deadline `now + timeoutMs` and removed when it settles (O(1):
 * a doubly linked list). The timer is armed for the earliest deadline; when it fires, every
 * call at or past its deadline is expired, and the timer is armed again for the earliest
 * deadline left. A settled call does not touch the timer: it stays armed (and may fire to find
 * nothing due), so a stream of calls arms about one timer per `timeoutMs` instead of one per
 * call. Timer rule: the timer keeps the process alive (like a per-call timeout) only while a
 * call waits; when none does, it is unref'd, so an idle guard never holds a process open.
 *
 * @module
 */
import type { Scheduler, TimerHandle } from './time.js';

/** @internal A call waiting under the guard's deadline timer. */
export interface Waiting {
  prev: Waiting | undefined;
  next: Waiting | undefined;
  /** Epoch ms (of the guard's clock) when the call times out; set by {@link Deadlines.add}. */
  deadline: number;
  /** The deadline passed: fail the call with reason `timeout` (and remove it). */
  expire(): void;
  /** The circuit opened: fail the call with reason `circuit-open` (and remove it). */
  abandon(): void;
}

/** @internal The waiting calls of one guard. */
export interface Deadlines {
  /** Adds a call with the deadline `now + timeoutMs`. */
  add(call: Waiting): void;
  /** Removes a settled call (a no-op for one already removed). */
  remove(call: Waiting): void;
  /** Abandons every waiting call (each removes itself). */
  abandonAll(): void;
}

type Refable = { ref?: () => unknown; unref?: () => unknown } | null | undefined;

/** @internal One deadline timer for every call of a guard (see the module comment). */
export function createDeadlines(scheduler: Scheduler, timeoutMs: number): Deadlines {
  let head: Waiting | undefined;
  let tail: Waiting | undefined;
  let timer: TimerHandle | undefined;
  /** When the armed timer fires (epoch ms). */
  let timerDue = 0;
  let refed = false;

  const arm = (due: number, now: number) => {
    timerDue = due;
    refed = true;
    // a timer may fire a little before its due time on the runtime's clock: never re-arm for 0 ms
    timer = scheduler.setTimeout(fire, Math.max(1, due - now));
  };
  const fire = () => {
    timer = undefined;
    let now = scheduler.now();
    let earliest = Infinity;
    for (let call = head; call !== undefined; ) {
      if (call.deadline <= now) {
        // the first timeout opens the circuit, which abandons every other waiting call: start over
        call.expire();
        if (head === call) remove(call); // a call that did not remove itself
        now = scheduler.now();
        earliest = Infinity;
        call = head;
        continue;
      }
      if (call.deadline < earliest) earliest = call.deadline;
      call = call.next;
    }
    if (head !== undefined) arm(earliest, now);
    else refed = false;
  };

  function remove(call: Waiting): void {
    const { prev, next } = call;
    if (prev === undefined && head !== call) return; // not in the list
    if (prev === undefined) head = next;
    else prev.next = next;
    if (next === undefined) tail = prev;
    else next.prev = prev;
    call.prev = call.next = undefined;
    if (head === undefined && refed && timer !== undefined) {
      refed = false;
      (timer as Refable)?.unref?.();
    }
  }

  return {
    remove,
    add(call) {
      const now = scheduler.now();
      const deadline = now + timeoutMs;
      call.deadline = deadline;
      call.prev = tail;
      call.next = undefined;
      if (tail === undefined) head = call;
      else tail.next = call;
      tail = call;
      if (timer === undefined) arm(deadline, now);
      else if (deadline < timerDue) {
        // the clock went back: the armed timer would fire too late for this call
        scheduler.clearTimeout(timer);
        arm(deadline, now);
      } else if (!refed) {
        refed = true;
        (timer as Refable)?.ref?.();
      }
    },
    abandonAll() {
      while (head !== undefined) {
        const call = head;
        call.abandon();
        if (head === call) remove(call); // a call that did not remove itself
      }
    },
  };
}
