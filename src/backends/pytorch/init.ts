/**
 * The emitted module's `reset_parameters`: the IR's kernel initialisers as torch statements, from the registry's
 * `torch` entries (src/ir/initializers.ts), so that a fresh torch model starts from the distribution the tfjs model
 * starts from. Biases start at zero, as in tfjs (torch's own default draws them from U(±1/√fan_in)); batch norms keep
 * torch's weight 1, bias 0; ECA's Conv1d keeps torch's default, which is what tfjs draws for it.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { initializers, InitializerName, needsTruncatedHelper } from '../../ir/initializers';
import { IRGraph } from '../../ir/types';

/** A dense layer of the head: its attribute path and initializer. */
export interface DenseInit {
  attr: string;
  initializer: InitializerName;
  bias: boolean;
}

const TRUNCATED_HELPER = `def truncated_variance_scaling_(w, scale, mode):
    """Keras' VarianceScaling(distribution="truncated_normal"): a normal cut at two standard deviations, widened
    by 1 / 0.8796 so that the variance of what is drawn is scale / fan."""
    fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(w)
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(scale / max(1.0, fan)) / 0.87962566103423978
    return nn.init.trunc_normal_(w, std=std, a=-2 * std, b=2 * std)`;

/** The names the module draws: every conv's (one per net) and each dense layer's. */
function used(graph: IRGraph, dense: readonly DenseInit[]): InitializerName[] {
  const convs = new Set(graph.nodes.flatMap((n) => (n.op === 'conv2d' ? [n.attrs.kernelInitializer] : [])));
  invariant(convs.size <= 1, `${graph.name}: convs with different initializers (${[...convs].join(', ')})`);
  return [...convs, ...dense.map((d) => d.initializer)];
}

/** Module-level text the statements need: `import math`, the truncated helper. */
export function initPrelude(graph: IRGraph, dense: readonly DenseInit[]): { imports: string[]; helpers: string[] } {
  const names = used(graph, dense);
  const math = names.some((n) => needsTruncatedHelper(n) || initializers[n].torch.includes('math.'));
  return { imports: math ? ['import math'] : [], helpers: names.some(needsTruncatedHelper) ? [TRUNCATED_HELPER] : [] };
}

function statement(name: InitializerName, weight: string): string {
  return initializers[name].torch.replace(/\bw\b/, weight);
}

/** The `reset_parameters` method, indented for the model class. */
export function resetParameters(graph: IRGraph, dense: readonly DenseInit[]): string[] {
  const conv = graph.settings.initializer.conv;
  const module = (attr: string) => (attr.includes('.') ? `self.get_submodule(${JSON.stringify(attr)})` : `self.${attr}`);
  return [
    '    def reset_parameters(self):',
    `        """Initial weights as netspec draws them: convs ${conv}${dense.map((d) => `, ${d.attr} ${d.initializer}`).join('')}; biases zero."""`,
    '        for m in self.modules():',
    '            if isinstance(m, nn.Conv2d):',
    `                ${statement(conv, 'm.weight')}`,
    '                if m.bias is not None:',
    '                    nn.init.zeros_(m.bias)',
    ...dense.flatMap((d) => [
      `        ${statement(d.initializer, `${module(d.attr)}.weight`)}`,
      ...(d.bias ? [`        nn.init.zeros_(${module(d.attr)}.bias)`] : []),
    ]),
  ];
}
