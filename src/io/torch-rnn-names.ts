import type { LayerWeights } from '../cells/model.js';

/** PyTorch's state-dict names of one layer's parameters, keyed by our LayerWeights fields. */
export function torchLayerNames(prefix: string, layer: number): Record<keyof LayerWeights, string> {
  return {
    weightIh: `${prefix}weight_ih_l${layer}`,
    weightHh: `${prefix}weight_hh_l${layer}`,
    biasIh: `${prefix}bias_ih_l${layer}`,
    biasHh: `${prefix}bias_hh_l${layer}`,
  };
}

/**
 * Any parameter name of nn.RNN / nn.LSTM / nn.GRU, including the ones we cannot load
 * (`_reverse` of bidirectional models, `weight_hr` of LSTMs with proj_size):
 * groups prefix, kind (weight|bias), matrix (ih|hh|hr), layer, reverse suffix.
 */
export const TORCH_RNN_PARAMETER = /^(.*?)(weight|bias)_(ih|hh|hr)_l(\d+)(_reverse)?$/;
