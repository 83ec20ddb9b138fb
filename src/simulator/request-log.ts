/** What the simulator received: a bounded list of recent requests and unbounded counters. */
export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. '/v1/workflows/logs'. */
  path: string;
  query: Record<string, string>;
  /** The bearer token sent (null when none); lets tests assert which key was used. */
  apiKey: string | null;
  /** The key named a known app (whatever the app's state or any injected fault). */
  authorized: boolean;
  /** HTTP status sent; 0 when the connection was reset by a fault. */
  status: number;
  /** Fault served instead of (or before, for 'slow') the normal answer. */
  fault: string | null;
}

export interface RequestFilter {
  apiKey?: string;
  /** Path prefix. */
  path?: string;
}

export class RequestLog {
  /** The most recent requests, oldest first: at least the last `capacity`, at most 10% more (trimmed in batches). */
  readonly recent: RecordedRequest[] = [];
  private readonly counts = new Map<string, { apiKey: string | null; path: string; n: number }>();
  private totalCount = 0;

  constructor(private readonly capacity = 10_000) {}

  record(req: RecordedRequest): void {
    this.recent.push(req);
    if (this.recent.length >= this.capacity + Math.ceil(this.capacity / 10)) {
      this.recent.splice(0, this.recent.length - this.capacity);
    }
    this.totalCount++;
    const key = `${req.apiKey ?? ''}\u0000${req.path}`;
    const c = this.counts.get(key);
    if (c) c.n++;
    else this.counts.set(key, { apiKey: req.apiKey, path: req.path, n: 1 });
  }

  count(filter: RequestFilter = {}): number {
    if (filter.apiKey === undefined && filter.path === undefined) return this.totalCount;
    let n = 0;
    for (const c of this.counts.values()) {
      if (filter.apiKey !== undefined && c.apiKey !== filter.apiKey) continue;
      if (filter.path !== undefined && !c.path.startsWith(filter.path)) continue;
      n += c.n;
    }
    return n;
  }

  reset(): void {
    this.recent.length = 0;
    this.counts.clear();
    this.totalCount = 0;
  }
}
