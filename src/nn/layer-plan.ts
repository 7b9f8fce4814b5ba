/**
 * Rebuilding a layer from its {@link LayerPlan}: how a worker thread gets the same network as
 * the main thread without receiving objects (only plain data crosses threads).
 */
import { ScichainError } from '../core/errors.ts';
import { Activation } from './activation-layer.ts';
import { Chain } from './chain.ts';
import { Dense } from './dense.ts';
import { Dropout } from './dropout.ts';
import type { Layer, LayerPlan } from './layer.ts';

/** The layer a plan describes (same sizes, activation and parameter layout). */
export function layerFromPlan(plan: LayerPlan): Layer {
  switch (plan.kind) {
    case 'dense':
      return new Dense(plan.inputSize, plan.outputSize, plan.activation, { bias: plan.bias });
    case 'activation':
      return new Activation(plan.size, plan.activation);
    case 'dropout':
      return new Dropout(plan.size, plan.rate);
    case 'chain':
      return new Chain(plan.inputSize, plan.layers.map(layerFromPlan)) as Layer;
    default:
      throw new ScichainError(
        'InvalidArgument',
        `unknown layer plan kind '${(plan as { kind: string }).kind}'`,
      );
  }
}
