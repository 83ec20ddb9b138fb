/**
 * `dify-exporter check`: for every target, GET /v1/ (server version) and GET /v1/info (app name
 * and mode) through the same Dify client the exporter polls with, and one line per target:
 *   support-bot  mode=workflow  server=1.13.0  OK
 *   targets[1] (https://dify.example.com/v1)  FAILED: GET /info: 401 unauthorized (Access token is invalid)
 */
import type { ExporterConfig, TargetConfig } from './config/schema.js';
import { createNameClaimer } from './config/target-names.js';
import { modeWarning } from './model/app-mode.js';

export interface TargetProbe {
  getServerRoot(): Promise<{ server_version?: string }>;
  getAppInfo(): Promise<{ name: string; mode: string }>;
}

export interface CheckDeps {
  /** Opens the client for one target; by default the exporter's DifyClient with the configured http settings. */
  openProbe?: (target: TargetConfig, config: ExporterConfig) => TargetProbe;
}

export interface TargetCheck {
  /** The name the exporter would use: explicit, else the app name (suffixed -2, -3... when taken). */
  name: string;
  ok: boolean;
  mode: string | null;
  serverVersion: string | null;
  /** Set when the app works but its runs never appear in workflow logs (chatflow, chat, ...). */
  warning: string | null;
  /** Why the target failed; never contains the API key. */
  problem: string | null;
  line: string;
}

export interface CheckReport {
  ok: boolean;
  targets: TargetCheck[];
}

/** Retries in `check` are capped: a person is waiting, and one retry tells a blip from an outage. */
const CHECK_MAX_RETRIES = 1;

export async function checkTargets(config: ExporterConfig, deps: CheckDeps = {}): Promise<CheckReport> {
  const clients = deps.openProbe ? { open: deps.openProbe, close: async () => undefined } : await openDifyClients(config);
  try {
    const probes = await Promise.all(config.targets.map((target) => probe(clients.open(target, config), target)));
    const claim = createNameClaimer(config.targets);
    const targets = probes.map((result, index) => describe(result, config.targets[index] as TargetConfig, index, claim));
    return { ok: targets.every((t) => t.ok), targets };
  } finally {
    await clients.close();
  }
}

type ProbeResult =
  | { ok: true; serverVersion: string | null; name: string; mode: string }
  | { ok: false; serverVersion: string | null; problem: string };

async function probe(client: TargetProbe, target: TargetConfig): Promise<ProbeResult> {
  // GET /v1/ is informative only (some proxies hide it); /v1/info decides.
  const [root, info] = await Promise.allSettled([client.getServerRoot(), client.getAppInfo()]);
  const serverVersion = root.status === 'fulfilled' ? (root.value.server_version ?? null) : null;
  if (info.status === 'fulfilled') return { ok: true, serverVersion, name: info.value.name, mode: info.value.mode };
  const message = info.reason instanceof Error ? info.reason.message : String(info.reason);
  return { ok: false, serverVersion, problem: message.split(target.apiKey).join('[REDACTED]') };
}

function describe(result: ProbeResult, target: TargetConfig, index: number, claim: (wanted: string, index: number) => string): TargetCheck {
  const server = `server=${result.serverVersion ?? 'unknown'}`;
  if (!result.ok) {
    const name = target.name ?? `targets[${index}] (${target.baseUrl})`;
    return { name, ok: false, mode: null, serverVersion: result.serverVersion, warning: null, problem: result.problem, line: `${name}  FAILED: ${result.problem}` };
  }
  const name = target.name ?? claim(result.name, index);
  const warning = modeWarning(result.mode);
  const line = `${name}  mode=${result.mode}  ${server}  OK${warning ? `  WARNING: ${warning}` : ''}`;
  return { name, ok: true, mode: result.mode, serverVersion: result.serverVersion, warning, problem: null, line };
}

async function openDifyClients(config: ExporterConfig) {
  const [{ DifyClient }, { DifyServers }] = await Promise.all([import('./dify/client.js'), import('./dify/server-pool.js')]);
  const servers = new DifyServers({
    timeoutMs: config.http.timeoutMs,
    maxConnections: config.http.maxConnections,
    requestsPerSecond: config.http.requestsPerSecond,
  });
  return {
    open: (target: TargetConfig): TargetProbe =>
      new DifyClient({
        baseUrl: target.baseUrl,
        apiKey: target.apiKey,
        server: servers.forBaseUrl(target.baseUrl),
        maxRetries: Math.min(config.http.maxRetries, CHECK_MAX_RETRIES),
      }),
    close: () => servers.closeAll(),
  };
}
