/**
 * Benchmark child: the floor. The same Dify client, pool and rate budget as the exporter fetch
 * the same pages (same limit, same created_at__after) and JSON-parse them, and do nothing else.
 */
import { DifyClient } from '../../src/dify/client.js';
import { DifyServers } from '../../src/dify/server-pool.js';
import { serve } from '../lib/ipc.js';
import { benchConfig, type BenchTargets } from '../lib/exporter-config.js';
import { cpuSecondsSince, memoryStats, threadCpu, threadCpuSince } from '../lib/proc-stats.js';

async function fetchAll(client: DifyClient, limit: number, after: number): Promise<number> {
  let rows = 0;
  for (let page = 1; page <= 99_999; page++) {
    const res = await client.listLogs({ page, limit, after });
    rows += res.data.length;
    if (!res.has_more || res.data.length === 0) break;
  }
  return rows;
}

serve({
  async run(t: BenchTargets) {
    const config = benchConfig(t);
    const servers = new DifyServers({
      timeoutMs: config.http.timeoutMs,
      maxConnections: config.http.maxConnections,
      requestsPerSecond: config.http.requestsPerSecond,
    });
    const clients = config.targets.map(
      (target) => new DifyClient({ baseUrl: target.baseUrl, apiKey: target.apiKey, server: servers.forBaseUrl(target.baseUrl), maxRetries: 0 }),
    );
    const after = Math.floor(Date.now() / 1000) - Math.floor(config.poll.initialLookbackMs / 1000);
    const cpu = process.cpuUsage();
    const threads = threadCpu();
    const t0 = performance.now();
    const counts = await Promise.all(clients.map((c) => fetchAll(c, config.poll.pageLimit, after)));
    const wallMs = performance.now() - t0;
    const cpuSeconds = cpuSecondsSince(cpu);
    const split = threadCpuSince(threads);
    await servers.closeAll();
    return { runs: counts.reduce((a, b) => a + b, 0), wallMs, cpuSeconds, threadCpu: split, memory: memoryStats() };
  },
});
