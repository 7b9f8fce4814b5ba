// The seed example at test size: the protocol's loss must fall at least tenfold.
import { describe, expect, it } from 'vitest';
import {
  matrixExponentialReport,
  trainMatrixExponential,
} from '../../examples/matrix-exponential.ts';

describe('matrix-exponential example', () => {
  it('lowers the training MSE at least tenfold in a test-sized run and writes a report', () => {
    const r = trainMatrixExponential({
      epochs: 600,
      trainSize: 1000,
      testSize: 500,
      learningRate: 1e-2,
      progress: false,
    });
    expect(r.trainMse).toBeLessThan(r.initialTrainMse / 10);
    expect(r.testMse).toBeLessThan(r.initialTrainMse / 5);
    const html = matrixExponentialReport(r).toHtml();
    expect(html).toContain('Learning the 2×2 matrix exponential');
    expect(html).toContain('Plotly.newPlot("chart2"');
  });
});
