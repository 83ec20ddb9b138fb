/**
 * One target's state as JSON text, taken at one moment: the leading pieces as strings, the
 * pending runs as a frozen copy turned into text one piece at a time each time it is read.
 * It can be read any number of times (every save reads it; a target not polled since keeps it).
 * Up to one piece of pending runs (the usual case) is turned into text once and kept, so saves
 * of targets that were not polled cost nothing; more is made again on each read, never all held.
 */
import type { FrozenPendingRuns } from './frozen-pending-runs.js';

export class StateText implements Iterable<string> {
  private readonly kept: readonly string[] | null;

  constructor(
    private readonly head: readonly string[],
    private readonly pending: FrozenPendingRuns,
    private readonly perPiece: number,
    private readonly tail: string,
  ) {
    this.kept = pending.size <= perPiece ? [...pending.jsonPieces(perPiece)] : null;
  }

  *[Symbol.iterator](): Iterator<string> {
    yield* this.head;
    let first = true;
    for (const piece of this.kept ?? this.pending.jsonPieces(this.perPiece)) {
      yield first ? piece : `,${piece}`;
      first = false;
    }
    yield this.tail;
  }
}
