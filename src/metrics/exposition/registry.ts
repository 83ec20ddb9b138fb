/**
 * Holds our metric families and renders them in either exposition format. Extra text sources
 * (prom-client's process/Node metrics) are appended so one endpoint serves everything.
 */
import type { MetricFamily, Series } from './family.js';
import type { ExpositionFormat } from './format.js';

export type ExtraSource = (format: ExpositionFormat) => Promise<string> | string;

export class MetricRegistry {
  private readonly families = new Map<string, MetricFamily<Series>>();
  private readonly extras: ExtraSource[] = [];

  register<F extends MetricFamily<Series>>(family: F): F {
    if (this.families.has(family.name)) throw new Error(`metric ${family.name} is already registered`);
    this.families.set(family.name, family);
    return family;
  }

  /** Adds text rendered by someone else (must not end with `# EOF`). */
  addSource(source: ExtraSource): void {
    this.extras.push(source);
  }

  get(name: string): MetricFamily<Series> | undefined {
    return this.families.get(name);
  }

  names(): string[] {
    return [...this.families.keys()];
  }

  async render(format: ExpositionFormat): Promise<string> {
    const parts: string[] = [];
    for (const f of this.families.values()) parts.push(f.render(format));
    for (const extra of this.extras) {
      const text = await extra(format);
      if (text) parts.push(text.endsWith('\n') ? text : `${text}\n`);
    }
    let out = format === 'prometheus' ? parts.join('\n') : parts.join('');
    if (format === 'openmetrics') out += '# EOF\n';
    return out;
  }
}
