/**
 * examples/ fits together as docker compose would run it (no Docker engine needed): every mounted
 * file exists, Prometheus' config passes `promtool check config` with the rules mounted where the
 * compose file puts them, the exporter config loads, and the services name each other correctly.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { findPrometheusTool, requireTool } from '../helpers/prometheus.js';
import { dashboardPath, loadRules, repoRoot, rulesPath } from './shipped-files.js';

const run = promisify(execFile);
const examples = join(repoRoot, 'examples');
const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;

interface Service {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = readYaml<{ services: Record<string, Service>; volumes?: Record<string, unknown> }>(join(examples, 'docker-compose.yml'));
const services = compose.services;

/** Bind mounts of a service: host path (absolute) -> container path. */
function binds(service: Service): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of service.volumes ?? []) {
    const [source, target] = v.split(':') as [string, string];
    if (source.startsWith('.')) out.set(join(examples, source), target);
  }
  return out;
}
/** The host file mounted at `containerPath` in `service`. */
function hostFileAt(service: Service, containerPath: string): string | undefined {
  for (const [host, target] of binds(service)) {
    if (target === containerPath) return host;
    if (containerPath.startsWith(`${target}/`)) return join(host, containerPath.slice(target.length + 1));
  }
  return undefined;
}

const promtool = findPrometheusTool('promtool');
if (promtool.skip) console.warn(`skipping promtool check config: ${promtool.reason}`);

describe('examples/docker-compose.yml', () => {
  it('has the exporter, Prometheus, Grafana and a trace backend', () => {
    expect(Object.keys(services).sort()).toEqual(['dify-exporter', 'grafana', 'prometheus', 'tempo']);
  });

  it('mounts only files and folders that exist', () => {
    const missing = Object.values(services).flatMap((s) => [...binds(s).keys()].filter((p) => !existsSync(p)));
    expect(missing).toEqual([]);
  });

  it('builds the exporter from the repository Dockerfile', () => {
    const build = services['dify-exporter']?.build;
    expect(build).toBeDefined();
    const dockerfile = join(examples, build!.context, build!.dockerfile ?? 'Dockerfile');
    expect(existsSync(dockerfile), `${dockerfile} should exist`).toBe(true);
  });

  it('starts Prometheus with exemplar storage and the shipped rules', () => {
    const prom = services.prometheus!;
    expect(prom.command).toContain('--enable-feature=exemplar-storage');
    const configFlag = prom.command?.find((c) => c.startsWith('--config.file='))?.split('=')[1] as string;
    expect(hostFileAt(prom, configFlag)).toBe(join(examples, 'prometheus.yml'));
    const config = readYaml<{ rule_files: string[] }>(join(examples, 'prometheus.yml'));
    const mountedRules = config.rule_files.map((f) => hostFileAt(prom, posix.resolve(posix.dirname(configFlag), f)));
    expect(mountedRules).toEqual([rulesPath]);
  });

  it('provisions the shipped dashboard and a Prometheus data source linking exemplars to Tempo', () => {
    const grafana = services.grafana!;
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>(
      join(examples, 'grafana/provisioning/dashboards/dashboards.yaml'),
    );
    const dashboardDir = provider.providers[0]!.options.path;
    expect(hostFileAt(grafana, `${dashboardDir}/${basename(dashboardPath)}`)).toBe(dashboardPath);
    expect(hostFileAt(grafana, '/etc/grafana/provisioning/dashboards/dashboards.yaml')).toBeDefined();

    const ds = readYaml<{ datasources: Array<{ uid: string; type: string; url: string; jsonData?: { exemplarTraceIdDestinations?: Array<{ name: string; datasourceUid: string }> } }> }>(
      join(examples, 'grafana/provisioning/datasources/datasources.yaml'),
    ).datasources;
    const prom = ds.find((d) => d.type === 'prometheus');
    const tempo = ds.find((d) => d.type === 'tempo');
    expect(prom?.url).toBe('http://prometheus:9090');
    expect(tempo?.url).toBe('http://tempo:3200');
    // The exporter's exemplars carry the trace id under the label trace_id.
    expect(prom?.jsonData?.exemplarTraceIdDestinations).toEqual([{ name: 'trace_id', datasourceUid: tempo?.uid }]);
  });
});

describe('examples/dify-exporter.yaml', () => {
  const exporter = services['dify-exporter']!;
  const configPath = exporter.environment?.DIFY_EXPORTER_CONFIG as string;

  it('is the file the exporter container reads', () => {
    expect(hostFileAt(exporter, configPath)).toBe(join(examples, 'dify-exporter.yaml'));
  });

  it('loads with only DIFY_API_KEY set, and points at the services of the compose file', () => {
    const config = loadConfig({ configPath: join(examples, 'dify-exporter.yaml'), env: { DIFY_API_KEY: 'app-example' } });
    expect(config.targets).toHaveLength(1);
    expect(config.targets[0]?.baseUrl).toBe('https://api.dify.ai/v1');

    // Prometheus scrapes the port the exporter listens on, by service name.
    const scrape = readYaml<{ scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }> }>(join(examples, 'prometheus.yml'));
    expect(scrape.scrape_configs[0]?.static_configs[0]?.targets).toEqual([`dify-exporter:${config.server.port}`]);

    // Spans go to Tempo's OTLP/HTTP receiver.
    const tracing = new URL(config.tracing.endpoint as string);
    expect(tracing.hostname).toBe('tempo');
    const tempo = readYaml<{ distributor: { receivers: { otlp: { protocols: { http: { endpoint: string } } } } } }>(join(examples, 'tempo.yaml'));
    expect(tempo.distributor.receivers.otlp.protocols.http.endpoint).toBe(`0.0.0.0:${tracing.port}`);

    // The state file lives on a named volume, so it survives the container.
    const stateDir = dirname(config.state.path as string);
    expect(exporter.volumes).toContain(`exporter-state:${stateDir}`);
  });
});

describe.skipIf(promtool.skip)('examples/prometheus.yml with promtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dify-exporter-examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes promtool check config, rules included', async () => {
    // Laid out as the compose file mounts them: both files in /etc/prometheus.
    copyFileSync(join(examples, 'prometheus.yml'), join(dir, 'prometheus.yml'));
    copyFileSync(rulesPath, join(dir, 'dify-exporter.rules.yaml'));
    const { stdout } = await run(requireTool(promtool), ['check', 'config', join(dir, 'prometheus.yml')]);
    expect(stdout).toContain(`SUCCESS: ${loadRules().length} rules found`);
  });
});
