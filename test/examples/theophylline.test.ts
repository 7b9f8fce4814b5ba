// The Theophylline example end to end at a small VPC size: the fit, the VPC and the report.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTheophylline, theophyllineReport } from '../../examples/theophylline.ts';

describe('Theophylline example', () => {
  it('fits, checks and reports', () => {
    const { fit, vpc } = runTheophylline('FOCEI', 40);
    expect(Math.abs(fit.objective - 116.8044)).toBeLessThan(0.05);
    expect(vpc.bins.length).toBe(9);
    // Most observed medians lie inside the simulated intervals of the median.
    const inside = vpc.bins.filter(
      (b) => b.observed[1] >= b.simulatedLow[1] && b.observed[1] <= b.simulatedHigh[1],
    );
    expect(inside.length).toBeGreaterThanOrEqual(7);
    const html = readFileSync(
      theophyllineReport(fit, vpc).write(join(mkdtempSync(join(tmpdir(), 'scichain-')), 't.html')),
      'utf8',
    );
    for (const title of [
      'CWRES vs time',
      'Observations vs individual predictions',
      'Subject 12',
      'Visual predictive check',
    ])
      expect(html).toContain(title);
  });
});
