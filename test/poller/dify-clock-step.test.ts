/**
 * The horizon follows the newest created_at seen, but never beyond Dify's own "now" (its Date
 * header): one row stamped in the future (Dify's clock stepped forward, then NTP stepped it back)
 * must not lift the horizon past the rows written after the correction.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './tampering-harness.js';

describe("Dify's clock steps forward then back", () => {
  it('runs written after the correction are still counted', async () => {
    const h = await harness({ serverVersion: '1.10.1' });
    await h.poller.poll();
    h.clock.advance(3_600_000); // Dify's clock is wrong by +1 h for a moment
    h.app.addFinishedRun({ status: 'succeeded' });
    h.clock.advance(-3_600_000 + 1_000); // NTP corrects it
    await h.poller.poll();
    const after: string[] = [];
    for (let i = 0; i < 10; i++) {
      h.clock.advance(15_000);
      after.push(h.app.addFinishedRun({ status: 'succeeded' }));
      await h.poller.poll();
    }
    expect(after.filter((id) => !h.counted.has(id))).toEqual([]);
  });
});
