// The Lotka–Volterra UDE example interrupted and resumed (issue 17, defect 17), at test size:
// a SIGINT during training (emitted in-process, as Node delivers a real one) writes the
// checkpoint; the resumed run ends with the θ bits, histories and recovered equations of an
// uninterrupted run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPhasesCheckpoint } from '../../src/optim/minimize-phases.ts';
import {
  runLotkaVolterraUde,
  runLotkaVolterraUdeAsync,
  type LotkaVolterraUdeOptions,
} from '../../examples/lotka-volterra-ude.ts';

const SMALL: LotkaVolterraUdeOptions = {
  adamSteps: 60,
  windows: [1, 2.5],
  windowIterations: 20,
  finalIterations: 30,
  progress: false,
};

describe('Lotka–Volterra UDE example: interrupt and resume', () => {
  it('SIGINT mid-training checkpoints; --resume ends with the uninterrupted θ bits', async () => {
    const straight = runLotkaVolterraUde(SMALL);
    const path = join(mkdtempSync(join(tmpdir(), 'scichain-lv-')), 'lv.ckpt.json');
    // The timer fires at the first slice boundary (20 ms into training).
    setTimeout(() => process.emit('SIGINT', 'SIGINT'), 0);
    const first = await runLotkaVolterraUdeAsync({ ...SMALL, checkpoint: { path } });
    expect(first.run.reason).toBe('Interrupted');
    expect(first.result).toBeUndefined();
    expect(first.run.checkpointPath).toBe(path);
    const saved = loadPhasesCheckpoint(path);
    expect(saved.phase + saved.iterations).toBeGreaterThan(0);

    const rest = await runLotkaVolterraUdeAsync({ ...SMALL, resume: loadPhasesCheckpoint(path) });
    expect(rest.run.reason).toBe('Done');
    const r = rest.result!;
    expect(Array.from(r.theta)).toEqual(Array.from(straight.theta));
    expect(r.phases).toEqual(straight.phases);
    expect(r.loss).toBe(straight.loss);
    expect(r.beta).toBe(straight.beta);
  });
});
