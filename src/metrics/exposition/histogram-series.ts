/** One histogram series: its buckets, and what changed since each format last wrote it. */
import { Series } from './series.js';

/** `changedFrom` of a series whose lines are all as last written. */
export const UNCHANGED = 0x3fffffff;

export class HistogramSeries extends Series {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  /** The first of its buckets' slots in the family's exemplar table, from its first exemplar on (-1 before). */
  exemplarsAt = -1;
  sum = 0;
  count = 0;
  /** `name_bucket{labels,le="`: the start of every bucket line, made once, and its UTF-8 length. */
  readonly bucketOpen: string;
  readonly bucketOpenBytes: number;
  /**
   * Per format, the first bucket whose line changed since that format last wrote the series (0 for
   * a new series): an observation changes its bucket's line and those above (cumulative counts),
   * never those below.
   */
  changedFrom0 = 0;
  changedFrom1 = 0;
  /** Per format, where each bucket line ended when last written (from the series' start). */
  lineEnds0: Int32Array | null = null;
  lineEnds1: Int32Array | null = null;
  constructor(
    key: number | string,
    /** `{a="x",b="y"}`, for the _sum and _count lines. */
    readonly labelText: string,
    buckets: number,
    name: string,
  ) {
    super(key);
    this.counts = new Array<number>(buckets + 1).fill(0);
    // Flat (join), as it is copied into every line of every render of the series.
    this.bucketOpen = [name, '_bucket', labelText === '' ? '{' : labelText.slice(0, -1), labelText === '' ? '' : ',', 'le="'].join('');
    this.bucketOpenBytes = Buffer.byteLength(this.bucketOpen);
  }
}
