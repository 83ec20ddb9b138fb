/**
 * A tiny request/response protocol over Node's child-process IPC channel, so each benchmark part
 * (simulator, exporter, floor client, OTLP sink) runs in its own process with its own event loop,
 * CPU accounting and peak RSS. Every call has a deadline; a child that does not answer is killed.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SHIPPED_ENV, SHIPPED_NODE_FLAGS } from '../../src/heap.js';

interface Request {
  id: number;
  method: string;
  args: unknown;
}
interface Response {
  id: number;
  result?: unknown;
  error?: string;
}

export interface BenchChild {
  readonly pid: number;
  call<T>(method: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Asks the child to exit; kills it if it does not within a few seconds. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 240_000;

/**
 * Extra node flags: BENCH_NODE_FLAGS for every child, BENCH_NODE_FLAGS_<NAME> for one (e.g.
 * BENCH_NODE_FLAGS_EXPORTER); BENCH_PROFILE=<child name>[,<name>] adds `--cpu-prof` to those
 * children, profiles written to BENCH_PROFILE_DIR (default .tmp/profiles).
 */
function extraFlags(name: string): string[] {
  const own = process.env[`BENCH_NODE_FLAGS_${name.toUpperCase().replace(/-/g, '_')}`] ?? '';
  const flags = `${process.env.BENCH_NODE_FLAGS ?? ''} ${own}`.split(/\s+/).filter(Boolean);
  const profiled = (process.env.BENCH_PROFILE ?? '').split(',').map((s) => s.trim());
  if (profiled.includes(name)) flags.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR ?? '.tmp/profiles'}/${name}`);
  return flags;
}

/**
 * Children that run the exporter's code (or, for the floor, its HTTP client) start with the node
 * flags and the environment the exporter is shipped with, as the Docker image runs it
 * (BENCH_UNSHIPPED_ENV=1 leaves the environment out).
 */
const SHIPPED_AS_EXPORTER = new Set(['exporter', 'scrape', 'floor']);

/** True when this file runs compiled (tsc output) rather than under tsx. */
const COMPILED = import.meta.url.endsWith('.js');

/** Starts `bench/processes/<name>` (under tsx, or compiled when the bench itself is) with an IPC channel. */
export async function startChild(name: string, flags: string[] = []): Promise<BenchChild> {
  const script = fileURLToPath(new URL(`../processes/${name}.${COMPILED ? 'js' : 'ts'}`, import.meta.url));
  const child: ChildProcess = fork(script, [], {
    execArgv: [...(COMPILED ? [] : ['--import', 'tsx']), ...(SHIPPED_AS_EXPORTER.has(name) ? SHIPPED_NODE_FLAGS : []), ...flags, ...extraFlags(name)],
    env: SHIPPED_AS_EXPORTER.has(name) && !process.env.BENCH_UNSHIPPED_ENV ? { ...process.env, ...SHIPPED_ENV } : process.env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      for (const w of waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error(`bench child ${name} exited (code ${code}, signal ${signal})`));
      }
      waiting.clear();
      resolve();
    });
  });
  child.on('message', (msg: Response) => {
    const w = waiting.get(msg.id);
    if (!w) return;
    waiting.delete(msg.id);
    clearTimeout(w.timer);
    if (msg.error !== undefined) w.reject(new Error(`${name}: ${msg.error}`));
    else w.resolve(msg.result);
  });
  const api: BenchChild = {
    pid: child.pid ?? -1,
    call<T>(method: string, args?: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
      if (exited) return Promise.reject(new Error(`bench child ${name} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${name}.${method}: no answer within ${timeoutMs} ms`));
          child.kill('SIGKILL');
        }, timeoutMs);
        waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, method, args } satisfies Request);
      });
    },
    async close() {
      if (exited) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      try {
        child.send({ id: 0, method: '__exit', args: null } satisfies Request);
      } catch {
        child.kill('SIGKILL');
      }
      await exitedPromise;
      clearTimeout(kill);
    },
  };
  await api.call('__ready', undefined, 30_000);
  return api;
}

export type Handlers = Record<string, (args: never) => unknown>;

/** Child side: answers calls with the given handlers until asked to exit. */
export function serve(handlers: Handlers): void {
  const send = (r: Response): void => {
    process.send?.(r);
  };
  process.on('message', (msg: Request) => {
    if (msg.method === '__exit') {
      process.disconnect?.();
      process.exit(0);
    }
    if (msg.method === '__ready') return send({ id: msg.id, result: true });
    const handler = handlers[msg.method];
    if (!handler) return send({ id: msg.id, error: `unknown method ${msg.method}` });
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (result) => send({ id: msg.id, result }),
        (err: unknown) => send({ id: msg.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}
