// Run by dense-kernels.test.ts in a child process started with --experimental-wasm-relaxed-simd:
// compares the fused-multiply-add kernels with the TypeScript kernels and prints the worst errors.
import { wasmFeatures } from '../../src/nn/index.ts';
import { compareLayer } from '../helpers/dense-compare.ts';

let f64 = 0;
let f32 = 0;
const shapes: [number, number, number][] = [
  [4, 32, 37],
  [33, 7, 300],
  [17, 19, 11],
  [64, 3, 9],
];
for (const [inp, out, n] of shapes) {
  for (const activation of ['tanh', 'sigmoid', 'gelu', 'rbf', 'identity']) {
    f64 = Math.max(f64, compareLayer(inp, out, n, activation, true, 'float64', inp + out));
    f32 = Math.max(f32, compareLayer(inp, out, n, activation, true, 'float32', inp + out));
  }
}
console.log(JSON.stringify({ relaxed: wasmFeatures().relaxedSimd, f64, f32 }));
