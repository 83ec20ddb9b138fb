/**
 * The room a backlog catch-up may fill, shared by every target: the span outbox's spare capacity,
 * less what targets reading a window right now have claimed. Without the claims, targets that
 * start a window at the same moment would each see the whole room and overfill the outbox.
 */
export class CatchUpBudget {
  private claimed = 0;

  /** `room`: runs that may be recorded now (the tracer's spare capacity). */
  constructor(private readonly room: () => number = () => Infinity) {}

  /** Runs a target may still take in: what is left of the room after the others' claims. */
  available(): number {
    return Math.max(0, this.room() - this.claimed);
  }

  /** Claims up to `wanted` runs for a window about to be read. */
  claim(wanted: number): CatchUpClaim {
    const rows = Math.min(wanted, this.available());
    let held = Number.isFinite(rows) ? rows : 0;
    this.claimed += held;
    const giveBack = (n: number): void => {
      const back = Math.min(held, n);
      held -= back;
      this.claimed -= back;
    };
    return { rows, used: giveBack, close: () => giveBack(held) };
  }
}

export interface CatchUpClaim {
  /** Runs granted. */
  readonly rows: number;
  /** `n` runs were recorded: the outbox now holds them, so the claim on them ends. */
  used(n: number): void;
  /** Ends the claim (the window is read, or abandoned). */
  close(): void;
}
