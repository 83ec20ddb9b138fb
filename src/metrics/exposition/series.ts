/**
 * One series of a family (its label values and text), and a reference to one that hot paths hold
 * instead of looking it up for every run.
 */

export abstract class Series {
  /** Position in the family's exposition order; -1 once removed (bound children then look it up again). */
  index = -1;
  /**
   * @param key the family's map key: the ids of the label values packed in a number, or the values
   *   with their lengths; the values are read back from it, so a series does not keep them too
   */
  constructor(
    /** Made again when the family packs its keys differently. */
    public key: number | string,
  ) {}
}

/**
 * A series of one sample line (counter, gauge). Its label text is not kept: `name{labels}` is
 * copied from the previous scrape when the value changes, and made from the key otherwise.
 */
export abstract class SampleSeries extends Series {
  value = 0;
  constructor(
    key: number | string,
    /** UTF-8 length of `name{labels}`, the start of the series' line. */
    readonly prefixBytes: number,
  ) {
    super(key);
  }
}

/**
 * The series of fixed label values, looked up once: for hot paths that update the same series for
 * every run. It follows the series if it is removed and made again. One small object per bound
 * series (there can be tens of thousands), so the family's lookup function is shared, not a closure.
 */
export class SeriesRef<S extends Series> {
  constructor(
    private readonly lookup: (removed: Series) => S,
    private s: S,
  ) {}
  series(): S {
    const s = this.s;
    return s.index >= 0 ? s : (this.s = this.lookup(s));
  }
}
