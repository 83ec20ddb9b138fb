/** One histogram series: its buckets and exemplars, and what changed since each format last wrote it. */
import { formatExemplar, type Exemplar } from './format.js';
import { Series } from './series.js';

/** `changedFrom` of a series whose lines are all as last written. */
export const UNCHANGED = 0x3fffffff;

export class HistogramSeries extends Series {
  /** Non-cumulative count per bucket; the last slot is +Inf. */
  counts: number[];
  /**
   * A bucket's newest exemplar until OpenMetrics writes it (FORMATTED once only its text is kept):
   * set, the bucket's OpenMetrics line has a new exemplar.
   */
  exemplars: (Exemplar | undefined)[];
  /** Each bucket's exemplar formatted, once, and its UTF-8 length as OpenMetrics last wrote it. */
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
  constructor(
    key: string,
    /** `{a="x",b="y"}`, for the _sum and _count lines. */
    readonly labelText: string,
    values: readonly string[] | null,
    buckets: number,
    name: string,
  ) {
    super(key, values);
    this.counts = new Array<number>(buckets + 1).fill(0);
    this.exemplars = new Array<Exemplar | undefined>(buckets + 1);
    this.exemplarText = new Array<string>(buckets + 1).fill('');
    this.exemplarBytes = new Array<number>(buckets + 1).fill(0);
    // Flat (join), as it is copied into every line of every render of the series.
    this.bucketOpen = [name, '_bucket', labelText === '' ? '{' : labelText.slice(0, -1), labelText === '' ? '' : ',', 'le="'].join('');
    this.bucketOpenBytes = Buffer.byteLength(this.bucketOpen);
  }
}

/** In `exemplars`: a new exemplar already formatted into `exemplarText`, not yet written in OpenMetrics. */
const FORMATTED: Exemplar = Object.freeze({ labels: Object.freeze({}), value: 0, timestamp: 0 });

/** Bucket i's exemplar as text for an OpenMetrics line, formatted when first needed. */
export function exemplarText(s: HistogramSeries, i: number): string {
  const e = s.exemplars[i];
  if (e === undefined) return s.exemplarText[i] as string;
  s.exemplars[i] = undefined;
  const text = e === FORMATTED ? (s.exemplarText[i] as string) : formatExemplar(e);
  s.exemplarText[i] = text;
  s.exemplarBytes[i] = Buffer.byteLength(text);
  return text;
}

/**
 * Formats the new exemplars of buckets from `first` up, so their objects (and the trace ids they
 * hold) are let go at the next scrape of either format: a deployment scraped only in the
 * Prometheus text format would otherwise keep one per bucket. OpenMetrics still writes them as new.
 */
export function formatNewExemplars(s: HistogramSeries, first: number): void {
  const exemplars = s.exemplars;
  for (let i = first; i < exemplars.length; i++) {
    const e = exemplars[i];
    if (e !== undefined && e !== FORMATTED) {
      s.exemplarText[i] = formatExemplar(e); // its byte length is taken when OpenMetrics writes it
      exemplars[i] = FORMATTED;
    }
  }
}
