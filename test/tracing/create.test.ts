import { describe, expect, it } from 'vitest';
import { createRunTracer, tracesUrl } from '../../src/tracing/create.js';
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

  it('is off without an endpoint', () => {
    expect(createRunTracer({ ...config, endpoint: null }, { logger: memoryLogger().logger })).toBeInstanceOf(NoopRunTracer);
  });

  it('warns about an OTEL_RESOURCE_ATTRIBUTES value it cannot read, and starts all the same', async () => {
    const { logger, lines } = memoryLogger();
    const tracer = createRunTracer(
      { ...config, endpoint: 'http://127.0.0.1:1' },
      { logger, env: { OTEL_RESOURCE_ATTRIBUTES: 'team=a=b' } },
    );
    expect(tracer).not.toBeInstanceOf(NoopRunTracer);
    expect(lines.find((l) => l.level === WARN && l.msg === 'OTEL_RESOURCE_ATTRIBUTES ignored')?.reason).toMatch(/team=a=b/);
    await tracer.shutdown();
  });
});
