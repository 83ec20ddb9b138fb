/**
 * A row that cannot be read (no id, bad timestamps) is skipped and counted as bad; it must not
 * stop the poll, or it would stay in every later scan and nothing would be counted again.
 */
import { describe, expect, it } from 'vitest';
import { harness } from './tampering-harness.js';

describe('one malformed row', () => {
  it('does not stop the counting of every later run of the app', async () => {
    const h = await harness();
    const badAt = Math.floor(h.clock.now() / 1000) + 1;
    // A row Dify keeps returning whose workflow_run has no id (any shape readRow refuses will do).
    const bad = { id: 'bad-row', created_at: badAt, workflow_run: { status: 'succeeded', created_at: badAt } };
    h.client.tamper = (q, page) => {
      const inRange = (q.after === undefined || q.after <= badAt) && (q.before === undefined || badAt <= q.before);
      return inRange && q.page === 1 ? { ...page, total: page.total + 1, data: [bad, ...page.data] } : page;
    };
    let failures = 0;
    let pages = 0;
    const truth: string[] = [];
    for (let i = 0; i < 20; i++) {
      h.clock.advance(15_000);
      truth.push(h.app.addFinishedRun({ status: 'succeeded', totalTokens: 10 }));
      const before = h.sim.requestCount();
      await h.poller.poll().catch(() => failures++);
      pages = h.sim.requestCount() - before;
    }
    expect({ failures, counted: h.counted.size }).toEqual({ failures: 0, counted: truth.length });
    expect(pages).toBe(1);
  });
});

describe('a listing that never ends', () => {
  it('fails the poll instead of paging for ever', async () => {
    const h = await harness();
    await h.poller.poll();
    h.app.addFinishedRun({ status: 'succeeded' });
    h.clock.advance(2_000);
    let pages = 0;
    h.client.tamper = (_q, page) => {
      pages++;
      return { ...page, has_more: true, data: page.data.length > 0 ? page.data : [page.data[0] ?? { broken: true }] };
    };
    await expect(h.poller.poll()).rejects.toThrow(/has_more beyond the announced total/);
    expect(pages).toBeLessThan(40);
  });
});
