/** V8's optimization budget set at start-up (src/optimization-budget.ts). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deferOptimization, INTERRUPT_BUDGET } from '../src/optimization-budget.js';

const NODE_20_V8 = '11.3.244.8-node.33';

describe('the optimization budget', () => {
  it('is set at start-up on Node 20, eight times its default', () => {
    expect(deferOptimization([], NODE_20_V8)).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    expect(INTERRUPT_BUDGET).toBe(8 * 67_584);
  });

  it('leaves one given on the command line alone', () => {
    expect(deferOptimization(['--interrupt-budget=1000'], NODE_20_V8)).toBeNull();
    expect(deferOptimization(['--max-semi-space-size=8', '--interrupt_budget=1000'], NODE_20_V8)).toBeNull();
  });

  it('sets nothing on Node 22 and 24, whose V8 has no such flag', () => {
    expect(deferOptimization([], '12.4.254.21-node.33')).toBeNull();
    expect(deferOptimization([], '13.6.233.17-node.37')).toBeNull();
  });

  it('on this node, sets a flag the node knows (an unknown one is an error on the command line) or none', () => {
    const flag = deferOptimization([]);
    if (flag === null) {
      expect(Number.parseInt(process.versions.v8, 10)).toBeGreaterThan(11);
      return;
    }
    expect(execFileSync(process.execPath, [flag, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });
});
