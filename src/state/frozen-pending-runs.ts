/**
 * A copy of the pending runs taken at one moment (PendingRuns.freeze), written out as the state
 * file's `pending` entries piece by piece, so a save never holds the whole text at once.
 */
import { IN_PROGRESS_STATUSES } from '../model/run.js';
import { LOG_ID_STRING, RUN_SHIFT, RUN_STRING, RUN_UUID, STATUS_SHIFT, WORDS } from './pending-layout.js';
import { unpackUuid } from '../model/uuid-words.js';

const STATUS_JSON = ['null', ...IN_PROGRESS_STATUSES.map((s) => JSON.stringify(s))];

export class FrozenPendingRuns {
  constructor(
    readonly size: number,
    private readonly words: Uint32Array,
    private readonly created: Float64Array,
    private readonly nextCheck: Float64Array,
    private readonly meta: Uint8Array,
    private readonly missed: Uint8Array,
    /** Ids that are not UUIDs: log id of entry i at 2i, run id at 2i + 1. */
    private readonly strings: ReadonlyMap<number, string>,
  ) {}

  /** Entry i as in the state file: [logId, runId, createdAt, status, nextCheckAt, misses]. */
  entryJson(i: number): string {
    const meta = this.meta[i] as number;
    const at = i * WORDS;
    const logId = meta & LOG_ID_STRING ? JSON.stringify(this.strings.get(i * 2)) : `"${unpackUuid(this.words, at)}"`;
    const kind = (meta >>> RUN_SHIFT) & 3;
    const runId = kind === RUN_UUID ? `"${unpackUuid(this.words, at + 4)}"` : kind === RUN_STRING ? JSON.stringify(this.strings.get(i * 2 + 1)) : 'null';
    const status = STATUS_JSON[meta >>> STATUS_SHIFT] ?? 'null';
    return `[${logId},${runId},${this.created[i] as number},${status},${this.nextCheck[i] as number},${this.missed[i] as number}]`;
  }

  /**
   * The entries as JSON array elements, `perPiece` at most per piece, joined by commas. Written as
   * bytes and decoded once per piece: ~10x faster than building each id's string (every save of a
   * target with many pending runs pays this).
   */
  *jsonPieces(perPiece: number): Generator<string> {
    let buf = Buffer.allocUnsafe(Math.min(this.size, perPiece) * 128 + 256);
    for (let from = 0; from < this.size; from += perPiece) {
      const to = Math.min(this.size, from + perPiece);
      let pos = 0;
      for (let i = from; i < to; i++) {
        const meta = this.meta[i] as number;
        const kind = (meta >>> RUN_SHIFT) & 3;
        const logId = meta & LOG_ID_STRING ? JSON.stringify(this.strings.get(i * 2)) : null;
        const runId = kind === RUN_STRING ? JSON.stringify(this.strings.get(i * 2 + 1)) : null;
        const need = pos + 160 + (logId === null ? 0 : logId.length * 3) + (runId === null ? 0 : runId.length * 3);
        if (need > buf.length) {
          const bigger = Buffer.allocUnsafe(need * 2);
          buf.copy(bigger, 0, 0, pos);
          buf = bigger;
        }
        if (i > from) buf[pos++] = COMMA;
        buf[pos++] = OPEN;
        const at = i * WORDS;
        pos = logId === null ? writeQuotedUuid(buf, pos, this.words, at) : pos + buf.write(logId, pos, 'utf8');
        buf[pos++] = COMMA;
        if (kind === RUN_UUID) pos = writeQuotedUuid(buf, pos, this.words, at + 4);
        else pos += buf.write(runId ?? 'null', pos, 'utf8');
        pos += buf.write(`,${this.created[i] as number},${STATUS_JSON[meta >>> STATUS_SHIFT] ?? 'null'},${this.nextCheck[i] as number},${this.missed[i] as number}]`, pos, 'latin1');
      }
      yield buf.toString('utf8', 0, pos);
    }
  }
}

const COMMA = 44;
const OPEN = 91;
const QUOTE = 34;
const DASH = 45;
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Writes the 8 hex digits of w at pos; returns the position after them. */
function writeHexWord(buf: Buffer, pos: number, w: number, dashAfter4: boolean): number {
  for (let shift = 28; shift >= 0; shift -= 4) {
    buf[pos++] = HEX[(w >>> shift) & 15] as number;
    if (dashAfter4 && shift === 16) buf[pos++] = DASH;
  }
  return pos;
}

/** `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` from the packed words at words[at..at+3]. */
function writeQuotedUuid(buf: Buffer, pos: number, words: Uint32Array, at: number): number {
  buf[pos++] = QUOTE;
  pos = writeHexWord(buf, pos, words[at] as number, false);
  buf[pos++] = DASH;
  pos = writeHexWord(buf, pos, words[at + 1] as number, true);
  buf[pos++] = DASH;
  pos = writeHexWord(buf, pos, words[at + 2] as number, true);
  pos = writeHexWord(buf, pos, words[at + 3] as number, false);
  buf[pos++] = QUOTE;
  return pos;
}
