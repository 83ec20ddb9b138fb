/**
 * The OTel resource of the spans: `service.name` (per target), `service.version` when known, the
 * SDK's telemetry.sdk.* attributes and OTEL_RESOURCE_ATTRIBUTES. One Resource object per distinct
 * service, made once: the OTLP serializer groups a batch's spans by Resource identity.
 */
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';

const MAX_LENGTH = 255;

export type ParsedResourceAttributes =
  | { ok: true; attributes: Record<string, string> }
  | { ok: false; error: string };

/**
 * Parses OTEL_RESOURCE_ATTRIBUTES (`key=value,key2=value2`, percent-encoded) as the spec says:
 * on any error the whole value is discarded.
 */
export function parseResourceAttributes(raw: string | undefined): ParsedResourceAttributes {
  const attributes: Record<string, string> = {};
  if (raw === undefined || raw.trim() === '') return { ok: true, attributes };
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const parts = entry.split('=');
    if (parts.length !== 2) return { ok: false, error: `"${entry}" is not key=value (percent-encode "," and "=")` };
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(parts[0]!.trim());
      value = decodeURIComponent(parts[1]!.trim());
    } catch {
      return { ok: false, error: `"${entry}" is not valid percent-encoding` };
    }
    if (key === '') return { ok: false, error: `"${entry}" has an empty key` };
    if (key.length > MAX_LENGTH || value.length > MAX_LENGTH) {
      return { ok: false, error: `"${key}" is longer than ${MAX_LENGTH} characters` };
    }
    attributes[key] = value;
  }
  return { ok: true, attributes };
}

/** Hands out one Resource per (service.name, service.version). Bounded by the number of targets. */
export class ResourceCache {
  private readonly base: Resource;
  private readonly cache = new Map<string, Resource>();

  constructor(envAttributes: Record<string, string>) {
    this.base = defaultResource().merge(resourceFromAttributes(envAttributes));
  }

  get(serviceName: string, serviceVersion: string | null): Resource {
    const key = `${serviceName}\u0000${serviceVersion ?? ''}`;
    let resource = this.cache.get(key);
    if (resource === undefined) {
      const own: Record<string, string> = { 'service.name': serviceName };
      if (serviceVersion !== null) own['service.version'] = serviceVersion;
      resource = this.base.merge(resourceFromAttributes(own));
      this.cache.set(key, resource);
    }
    return resource;
  }
}
