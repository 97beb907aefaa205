/**
 * The items of `head.layers` as one nn.Sequential, `head.0`, `head.1`, … (the torch names of src/ir/naming/torch.ts):
 * every item is exactly one module, so the Sequential's indices are the items' and the state dict's keys line up.
 * That is why a flatten, a global pool and a dense layer with its activation are small modules of their own
 * (./helpers.ts) rather than calls in forward. The classifier's activation, when it ends the head, stays out of the
 * Sequential: `logits()` is everything but it, as for the fixed head.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { IRNode } from '../../ir/types';
import { py, torchMomentum } from './helpers';

/** The module of one head item, given its input's shape (no batch axis) and whether it is the head's last node. */
export function headItemModule(n: IRNode, inputShape: number[], last: boolean): { module: string; final?: string } {
  const channels = inputShape[inputShape.length - 1];
  switch (n.op) {
    case 'flatten':
      return { module: inputShape.length === 3 ? 'FlattenNHWC()' : 'nn.Identity()' };
    case 'global_pool':
      return { module: `GlobalPool(${py(n.attrs.mode)})` };
    case 'relu':
      return { module: 'nn.ReLU()' };
    case 'dropout':
      return { module: `nn.Dropout(${py(n.attrs.rate)})` };
    case 'batch_norm': {
      const { epsilon, momentum } = n.attrs;
      // After a flatten or pool the input is [N, C]: BatchNorm1d; before one it is still a feature map.
      const kind = inputShape.length === 1 ? 'BatchNorm1d' : 'BatchNorm2d';
      return { module: `nn.${kind}(${channels}, eps=${py(epsilon)}, momentum=${py(torchMomentum(momentum))})` };
    }
    case 'dense': {
      const { units, useBias, activation } = n.attrs;
      const linear = `nn.Linear(${channels}, ${units}, bias=${py(useBias)})`;
      if (activation === 'linear') return { module: linear };
      if (last && activation !== 'relu') return { module: linear, final: activation === 'softmax' ? 'x = torch.softmax(x, 1)' : 'x = torch.sigmoid(x)' };
      return { module: `Dense(${channels}, ${units}, bias=${py(useBias)}, activation=${py(activation)})` };
    }
    default:
      invariant(false, `no PyTorch module for a head item of op ${n.op} (${n.name})`);
  }
}
