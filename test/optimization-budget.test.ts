/** V8's optimization budget set at start-up (src/optimization-budget.ts). */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { deferOptimization, INTERRUPT_BUDGET } from '../src/optimization-budget.js';

describe('the optimization budget', () => {
  it('is set at start-up, eight times Node 20 default', () => {
    expect(deferOptimization([])).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    expect(INTERRUPT_BUDGET).toBe(8 * 67_584);
  });

  it('leaves one given on the command line alone', () => {
    expect(deferOptimization(['--interrupt-budget=1000'])).toBeNull();
    expect(deferOptimization(['--max-semi-space-size=8', '--interrupt_budget=1000'])).toBeNull();
  });

  it('is a flag this node knows (an unknown one would be an error on the command line)', () => {
    const out = execFileSync(process.execPath, [`--interrupt-budget=${INTERRUPT_BUDGET}`, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(out).toBe('ok');
  });
});
