/** One histogram series: its buckets and exemplars, and what changed since each format last wrote it. */
import { formatExemplar, type Exemplar } from './format.js';
import { Series } from './series.js';

/** `changedFrom` of a series whose lines are all as last written. */
export const UNCHANGED = 0x3fffffff;

export class HistogramSeries extends Series {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  /** A bucket's newest exemplar until it is formatted (then only its text is kept). */
  exemplars: (Exemplar | undefined)[];
  /** Each bucket's exemplar formatted, once, and its UTF-8 length. */
  exemplarText: string[];
  exemplarBytes: number[];
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
  constructor(key: string, labelText: string, values: readonly string[] | null, buckets: number, name: string) {
    super(key, labelText, values);
    this.counts = new Array<number>(buckets + 1).fill(0);
    this.exemplars = new Array<Exemplar | undefined>(buckets + 1);
    this.exemplarText = new Array<string>(buckets + 1).fill('');
    this.exemplarBytes = new Array<number>(buckets + 1).fill(0);
    // Flat (join), as it is copied into every line of every render of the series.
    this.bucketOpen = [name, '_bucket', labelText === '' ? '{' : labelText.slice(0, -1), labelText === '' ? '' : ',', 'le="'].join('');
    this.bucketOpenBytes = Buffer.byteLength(this.bucketOpen);
  }
}

/** Bucket i's exemplar as text, formatted when first needed; the exemplar itself is then dropped. */
export function exemplarText(s: HistogramSeries, i: number): string {
  const e = s.exemplars[i];
  if (e === undefined) return s.exemplarText[i] as string;
  s.exemplars[i] = undefined;
  const text = formatExemplar(e);
  s.exemplarBytes[i] = Buffer.byteLength(text);
  return (s.exemplarText[i] = text);
}
