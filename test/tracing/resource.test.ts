import { describe, expect, it } from 'vitest';
import { parseResourceAttributes, ResourceCache } from '../../src/tracing/resource.js';

describe('parseResourceAttributes (OTEL_RESOURCE_ATTRIBUTES)', () => {
  it('reads percent-encoded key=value pairs and skips empty entries', () => {
    expect(parseResourceAttributes('deployment.environment=prod, team=ai%2Cml,,host.name=a%3Db')).toEqual({
      ok: true,
      attributes: { 'deployment.environment': 'prod', team: 'ai,ml', 'host.name': 'a=b' },
    });
    expect(parseResourceAttributes(undefined)).toEqual({ ok: true, attributes: {} });
  });

  it.each([
    ['a=b,c', /not key=value/],
    ['a=b=c', /not key=value/],
    ['=b', /empty key/],
    ['a=%E0%A4%A', /percent-encoding/],
    [`a=${'x'.repeat(256)}`, /longer than 255/],
  ])('discards the whole value %j, as the spec says', (raw, error) => {
    const parsed = parseResourceAttributes(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});

describe('ResourceCache', () => {
  it('gives one Resource object per service, with the service winning over the environment', () => {
    const cache = new ResourceCache({ 'service.name': 'from-env', 'deployment.environment': 'prod' });
    const a = cache.get('dify', null);
    expect(cache.get('dify', null)).toBe(a);
    expect(a.attributes).toMatchObject({ 'service.name': 'dify', 'deployment.environment': 'prod', 'telemetry.sdk.language': 'nodejs' });
    expect(a.attributes['service.version']).toBeUndefined();
    const b = cache.get('billing', '1.16.0');
    expect(b).not.toBe(a);
    expect(b.attributes).toMatchObject({ 'service.name': 'billing', 'service.version': '1.16.0' });
  });
});
