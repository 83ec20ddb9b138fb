/**
 * Faults on demand: what a flaky network or a reverse proxy in front of Dify does to requests.
 * Rules match by path prefix (default the log listing) and optionally by API key, and are used up
 * one request at a time. A seeded failure rate adds random faults for the demo.
 */
import { Prng } from './prng.js';

export type FaultKind =
  | 'http_500'
  | 'http_502'
  | 'http_503'
  | 'http_429'
  | 'slow'
  | 'reset'
  | 'malformed_json'
  | 'wrong_shape'
  | 'http_401'
  | 'http_403';

export interface FaultRule {
  kind: FaultKind;
  /** How many matching requests get this fault (default 1). */
  times?: number;
  /** Path prefix to match (default '/v1/workflows/logs'). */
  path?: string;
  /** Only requests carrying this bearer key. */
  apiKey?: string;
  /** For http_429 (and 503): the Retry-After header value in seconds. */
  retryAfterSeconds?: number;
  /** For 'slow': real-time delay before the normal response (default 5000 ms). */
  delayMs?: number;
}

export interface FailureRate {
  kind: FaultKind;
  /** Probability per matching request, 0..1; 0 removes the rate for this kind. */
  rate: number;
  seed?: number;
  path?: string;
  delayMs?: number;
  retryAfterSeconds?: number;
}

export interface ChosenFault {
  kind: FaultKind;
  retryAfterSeconds?: number;
  delayMs: number;
}

const DEFAULT_PATH = '/v1/workflows/logs';
const DEFAULT_DELAY_MS = 5000;

interface ActiveRule extends FaultRule {
  left: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];
  private rates: { rate: FailureRate; rng: Prng }[] = [];
  /** How many faults were served, by kind. */
  readonly served = new Map<FaultKind, number>();

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  setFailureRate(rate: FailureRate): void {
    this.rates = this.rates.filter((r) => r.rate.kind !== rate.kind);
    if (rate.rate > 0) this.rates.push({ rate, rng: new Prng(rate.seed ?? 1) });
  }

  clear(): void {
    this.rules = [];
    this.rates = [];
  }

  /** Faults still waiting to be served (failure rates not included). */
  get pending(): number {
    let n = 0;
    for (const r of this.rules) n += r.left;
    return n;
  }

  /** The fault for this request, if any; consumes one use of the matching rule. */
  take(path: string, apiKey: string | null): ChosenFault | null {
    for (let i = 0; i < this.rules.length; i++) {
      const r = this.rules[i]!;
      if (!path.startsWith(r.path ?? DEFAULT_PATH)) continue;
      if (r.apiKey !== undefined && r.apiKey !== apiKey) continue;
      r.left--;
      if (r.left <= 0) this.rules.splice(i, 1);
      return this.chosen(r.kind, r.delayMs, r.retryAfterSeconds);
    }
    for (const { rate, rng } of this.rates) {
      if (!path.startsWith(rate.path ?? DEFAULT_PATH)) continue;
      if (rng.next() < rate.rate) return this.chosen(rate.kind, rate.delayMs, rate.retryAfterSeconds);
    }
    return null;
  }

  private chosen(kind: FaultKind, delayMs: number | undefined, retryAfterSeconds: number | undefined): ChosenFault {
    this.served.set(kind, (this.served.get(kind) ?? 0) + 1);
    const fault: ChosenFault = { kind, delayMs: delayMs ?? DEFAULT_DELAY_MS };
    if (retryAfterSeconds !== undefined) fault.retryAfterSeconds = retryAfterSeconds;
    return fault;
  }
}
