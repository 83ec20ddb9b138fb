import { describe, expect, it } from 'vitest';
import { tracesUrl } from '../../src/tracing/create.js';
import { createRunTracer } from '../../src/tracing/run-tracer.js';
import { NoopRunTracer } from '../../src/tracing/noop-tracer.js';
import { memoryLogger, WARN } from './logs.js';

describe('tracesUrl', () => {
  it.each([
    ['http://collector:4318', 'http://collector:4318/v1/traces'],
    ['http://collector:4318/', 'http://collector:4318/v1/traces'],
    ['https://otlp.example.com/otlp', 'https://otlp.example.com/otlp'],
    ['https://collector.example.com/api/traces', 'https://collector.example.com/api/traces'],
    ['http://collector:4318/v1/traces', 'http://collector:4318/v1/traces'],
    ['https://api.honeycomb.io/v1/traces/', 'https://api.honeycomb.io/v1/traces/'],
  ])('%s -> %s', (endpoint, url) => {
    expect(tracesUrl(endpoint)).toBe(url);
  });
});

describe('createRunTracer', () => {
  const config = { headers: {}, protocol: 'http/protobuf' as const, compression: 'none' as const, serviceName: 'dify', includeEndUser: false, maxOutboxSpans: 10, maxBatchSize: 5 };

  it('is off without an endpoint', async () => {
    expect(await createRunTracer({ ...config, endpoint: null }, { logger: memoryLogger().logger })).toBeInstanceOf(NoopRunTracer);
  });

  it('warns about an OTEL_RESOURCE_ATTRIBUTES value it cannot read, and starts all the same', async () => {
    const { logger, lines } = memoryLogger();
    const tracer = await createRunTracer(
      { ...config, endpoint: 'http://127.0.0.1:1' },
      { logger, env: { OTEL_RESOURCE_ATTRIBUTES: 'team=a=b' } },
    );
    expect(tracer).not.toBeInstanceOf(NoopRunTracer);
    expect(lines.find((l) => l.level === WARN && l.msg === 'OTEL_RESOURCE_ATTRIBUTES ignored')?.reason).toMatch(/team=a=b/);
    await tracer.shutdown();
  });

  it('loads the OpenTelemetry packages only when tracing is on', async () => {
    const { execFileSync } = await import('node:child_process');
    // A fresh process: which packages does making the tracer load?
    const script = `
      import { createRequire } from 'node:module';
      import { createRunTracer } from './src/tracing/run-tracer.ts';
      const config = ${JSON.stringify(config)};
      const logger = { debug() {}, info() {}, warn() {}, error() {} };
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => p.includes('@opentelemetry/otlp')).length > 0;
      await createRunTracer({ ...config, endpoint: null }, { logger });
      const off = loaded();
      const tracer = await createRunTracer({ ...config, endpoint: 'http://127.0.0.1:1' }, { logger });
      await tracer.shutdown();
      console.log(JSON.stringify({ off, on: loaded() }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: process.cwd() });
    expect(JSON.parse(out)).toEqual({ off: false, on: true });
  });
});
