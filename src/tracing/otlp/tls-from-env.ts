/**
 * TLS material for the collector connection from the OTLP exporter variables: a CA certificate to
 * trust (OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE) and a client certificate and key for mutual TLS
 * (OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_CERTIFICATE, ..._CLIENT_KEY). Each is a PEM file path; the
 * per-signal variable wins. A file that cannot be read is reported and left out.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface TlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const FILES = [
  ['ca', 'CERTIFICATE'],
  ['cert', 'CLIENT_CERTIFICATE'],
  ['key', 'CLIENT_KEY'],
] as const;

export function tlsFromEnv(env: NodeJS.ProcessEnv, warn: (variable: string, reason: string) => void): TlsFiles {
  const tls: TlsFiles = {};
  for (const [option, suffix] of FILES) {
    const variable = [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`].find((v) => env[v]?.trim());
    if (variable === undefined) continue;
    try {
      tls[option] = readFileSync(resolve(env[variable]!.trim()));
    } catch (error) {
      warn(variable, (error as NodeJS.ErrnoException).code ?? String(error));
    }
  }
  return tls;
}
