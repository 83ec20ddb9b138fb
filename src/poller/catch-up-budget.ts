/**
 * The room a backlog catch-up may fill, shared by every target: the span outbox's spare capacity,
 * less what targets reading a window right now have claimed. Without the claims, targets that
 * read at the same moment would each see the whole room and overfill the outbox.
 *
 * A window claims room page by page, for the page it reads and the one it asks for ahead, not for
 * all its rows up front: every target can read a window at once, each holding two pages of room,
 * rather than two or three windows holding all of it for as long as they take to read.
 */
import { abortableSleep } from '../dify/sleep.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waiting for room in the middle of a window: first this long, doubling up to WAIT_STEP_MAX_MS. */
const WAIT_FIRST_MS = 2;
const WAIT_STEP_MAX_MS = 100;
/** How long a window waits for room before it is given up (read again, from its start, later). */
export const ROOM_WAIT_LIMIT_MS = 1_000;

export class CatchUpBudget {
  private claimed = 0;

  constructor(
    /** Runs that may be recorded now (the tracer's spare capacity). */
    private readonly room: () => number = () => Infinity,
    private readonly sleep: Sleep = abortableSleep,
  ) {}

  /** Runs a target may still take in: what is left of the room after the others' claims. */
  available(): number {
    return Math.max(0, this.room() - this.claimed);
  }

  /** Claims up to `wanted` runs for the page about to be read. */
  claim(wanted: number): CatchUpClaim {
    let held = 0;
    const take = (n: number): number => {
      const rows = Math.min(n, this.available());
      if (Number.isFinite(rows)) {
        held += rows;
        this.claimed += rows;
      }
      return rows;
    };
    const giveBack = (n: number): void => {
      const back = Math.min(held, n);
      held -= back;
      this.claimed -= back;
    };
    const extend = (n: number): boolean => this.available() >= n && take(n) === n;
    return {
      rows: take(wanted),
      extend,
      extendWhenRoom: async (n, signal) => {
        for (let waited = 0, step = WAIT_FIRST_MS; !extend(n); waited += step, step = Math.min(2 * step, WAIT_STEP_MAX_MS)) {
          if (waited >= ROOM_WAIT_LIMIT_MS || signal?.aborted) return false;
          await this.sleep(step, signal);
        }
        return true;
      },
      used: giveBack,
      close: () => giveBack(held),
    };
  }
}

export interface CatchUpClaim {
  /** Runs granted at first. */
  readonly rows: number;
  /** Claims `n` more runs if there is room for all of them now. */
  extend(n: number): boolean;
  /** Claims `n` more runs, waiting up to ROOM_WAIT_LIMIT_MS for room; false if none came. */
  extendWhenRoom(n: number, signal?: AbortSignal): Promise<boolean>;
  /** `n` runs were recorded: the outbox now holds them, so the claim on them ends. */
  used(n: number): void;
  /** Ends the claim (the window is read, or given up). */
  close(): void;
}
