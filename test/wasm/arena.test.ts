// The arena: aligned views into one WebAssembly memory; growth of a shared memory leaves every
// earlier view valid (tested mid-training: same bits as without growth); a non-shared memory
// refuses to grow under live views instead of detaching them.
import { describe, expect, it } from 'vitest';
import {
  adam,
  chain,
  dense,
  meanSquaredError,
  parameters,
  Rng,
  ScichainError,
  supervisedObjective,
  trainSupervised,
} from '../../src/index.ts';
import { Arena } from '../../src/nn/index.ts';

describe('Arena', () => {
  it('hands out 16-byte aligned, zeroed views it recognises as its own', () => {
    const arena = new Arena({ initialBytes: 1 << 16 });
    const a = arena.floats('float32', 3);
    const b = arena.floats('float64', 5);
    const c = arena.bytes(7);
    for (const v of [a, b, c]) {
      expect(v.byteOffset % 16).toBe(0);
      expect(arena.owns(v)).toBe(true);
      expect([...v].every((x) => x === 0)).toBe(true);
    }
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 16);
    expect(arena.owns(new Float32Array(3))).toBe(false);
  });

  it('shared memory: growth keeps earlier views valid and addressing the same bytes', () => {
    const arena = new Arena({ initialBytes: 1 << 16, shared: true });
    const early = arena.floats('float64', 4);
    early.set([1, 2, 3, 4]);
    const before = arena.capacityBytes;
    const big = arena.floats('float32', 1 << 18); // 1 MiB: forces growth
    expect(arena.capacityBytes).toBeGreaterThan(before);
    expect(early.length).toBe(4); // not detached
    expect(arena.owns(early)).toBe(true);
    early[2] = 30;
    const fresh = new Float64Array(arena.memory.buffer, early.byteOffset, 4);
    expect([...fresh]).toEqual([1, 2, 30, 4]);
    big[big.length - 1] = 5;
    expect(arena.owns(big)).toBe(true);
  });

  it('non-shared memory: refuses to grow under live views, naming the sizes', () => {
    const arena = new Arena({ initialBytes: 1 << 16, shared: false });
    const view = arena.floats('float64', 10);
    view[0] = 7;
    expect(() => arena.floats('float64', 1 << 20)).toThrow(ScichainError);
    expect(() => arena.floats('float64', 1 << 20)).toThrow(/cannot grow without detaching 1 live/);
    expect(view.length).toBe(10);
    expect(view[0]).toBe(7);
    // Reserving before the first view is how non-shared arenas are sized.
    const sized = new Arena({ initialBytes: 1 << 16, shared: false });
    sized.reserve(1 << 20);
    expect(sized.floats('float64', 1 << 17).length).toBe(1 << 17);
  });

  it('growth forced mid-training changes nothing: θ lives on in the arena, same bits', () => {
    const train = (growAt: number | null) => {
      const net = chain(3, dense(16, 'tanh'), dense(2));
      const rng = new Rng(11);
      const x = rng.fillNormal(new Float32Array(64 * 3));
      const y = rng.fillNormal(new Float32Array(64 * 2));
      const objective = supervisedObjective({
        model: net,
        loss: meanSquaredError,
        x,
        y,
        kernels: 'wasm',
      });
      const arena = objective.arena!;
      expect(arena).not.toBeNull();
      const theta = arena.floats('float32', net.paramCount) as Float32Array;
      theta.set(parameters({ net }).initial({ seed: 3, dtype: 'float32' }));
      let grown = false;
      trainSupervised(objective, theta, {
        epochs: 100,
        optimizer: adam({ learningRate: 1e-2 }),
        progress: false,
        onEpoch: (info) => {
          if (info.epoch === growAt) {
            const before = arena.capacityBytes;
            arena.floats('float64', (before >> 3) + 4096); // more than the whole memory
            grown = arena.capacityBytes > before;
          }
        },
      });
      expect(arena.owns(theta)).toBe(true);
      return { theta: Array.from(theta), grown };
    };
    const plain = train(null);
    const grown = train(50);
    expect(grown.grown).toBe(true);
    expect(grown.theta).toEqual(plain.theta);
    expect(plain.theta.every(Number.isFinite)).toBe(true);
  });
});
