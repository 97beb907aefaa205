/**
 * What the emitted block functions look like, worked out from the IR's blocks: one function per block kind the net
 * uses, the arguments that vary between blocks (the rest are baked into the functions), how each varying argument
 * is computed at the call site (see ./patterns), the layer names as templates of the block id (see ./naming), and
 * how each function picks its shortcut.
 */
import { invariant } from '../../diagnostics/diagnostic';
import { BlockKindDescriptor } from '../../ir/blocks/descriptor';
import { blockKinds } from '../../ir/blocks/registry';
import { roleKey } from '../../ir/roles';
import { chooseShortcut } from '../../ir/shortcut';
import { BlockInfo, IRGraph, IRNode, NodeOf } from '../../ir/types';
import { BlockKind, ShortcutKind } from '../../spec/types';
import { camelCase, literal, Value } from './code';
import { blockNaming, BlockNaming, nameTemplate } from './naming';
import { NetworkFacts } from './network';
import { choosePattern, Pattern } from './patterns';

/**
 * How a block function chooses its shortcut: by a rule on its shape (torchvision's `_make_layer`: identity unless the
 * block changes shape; `maxpool` is Keras V2's rule, a projection where the channels change and a stride-only 1×1
 * max-pool where only the size does), or, when no rule reproduces the spec (forced shortcuts), by an argument.
 */
export type ShortcutRule = 'none' | 'projection' | 'option_a' | 'avg_down' | 'maxpool';
export type ShortcutPlan = { mode: 'rule'; rule: ShortcutRule } | { mode: 'explicit'; kinds: ShortcutKind[] };

export interface Field {
  key: string;
  type: string;
  doc: string;
  pattern: Pattern;
  /** Renders a value where it is not a plain literal (block functions). */
  render?: (v: Value) => string;
}

export interface KindPlan {
  kind: BlockKind;
  /** The registry entry the block function is printed from. */
  descriptor: BlockKindDescriptor;
  fn: string;
  /** Layer name expression per role (`conv1`, `bn1`, `shortcut_conv`, `add`…). */
  names: ReadonlyMap<string, string>;
  shortcut: ShortcutPlan;
  /** `useBias` expression per conv role, where it differs from the network's default. */
  bias: ReadonlyMap<string, string>;
  /** BN roles whose gamma starts at zero; conv roles whose kernel starts at zero (zero_init_residual). */
  gammaZero: ReadonlySet<string>;
  zeroInit: ReadonlySet<string>;
  /** Output channels = expansion × filters, when filters are one number. */
  expansion?: number;
}

export interface BlocksPlan {
  naming: BlockNaming;
  kinds: KindPlan[];
  /** Arguments that vary between blocks, in parameter order. */
  fields: Field[];
  /** Arguments with one value for every block (undefined: no block cares). */
  consts: ReadonlyMap<string, Value | undefined>;
  filtersForm: 'number' | 'tuple';
  /** Blocks grouped by stage. */
  stages: BlockInfo[][];
}

interface BlockView {
  info: BlockInfo;
  kind: BlockKindDescriptor;
  nodes: IRNode[];
  byRole: Map<string, IRNode>;
  inChannels: number;
  outChannels: number;
}

const NAME_FIELD_KEYS: Readonly<Record<string, string>> = { shortcut_maxpool: 'poolName' };

export function planBlocks(graph: IRGraph, facts: NetworkFacts): BlocksPlan {
  const naming = blockNaming(graph.naming as 'keras' | 'torch' | 'caffe', graph.stages.map((s) => s.blocks));
  const views = graph.blocks.map((info): BlockView => {
    const nodes = info.nodes.map((n) => facts.byName.get(n) as IRNode);
    const inputShape = (facts.byName.get(info.input) as IRNode).shape;
    return {
      info, kind: blockKinds.get(info.kind), nodes, byRole: new Map(info.roles.map((r) => [roleKey(r.role), facts.byName.get(r.node) as IRNode])),
      inChannels: inputShape[2], outChannels: info.filters[info.filters.length - 1],
    };
  });
  const kindsUsed = [...new Set(views.map((v) => v.info.kind))];
  const expansions = new Map(kindsUsed.map((k) => [k, expansionOf(views.filter((v) => v.info.kind === k))]));
  const filtersForm = [...expansions.values()].every((e) => e !== undefined) ? 'number' : 'tuple';
  const shortcuts = new Map(kindsUsed.map((k) => [k, shortcutPlan(views.filter((v) => v.info.kind === k))]));

  const valueFields: Array<Omit<Field, 'pattern'> & { value(v: BlockView): Value | undefined }> = [
    {
      key: 'block', type: 'BlockFunction', doc: 'The block function (the net mixes block kinds).',
      value: (v) => v.kind.emit.fn, render: (fn) => String(fn),
    },
    {
      key: 'filters', type: filtersForm === 'number' ? 'number' : tupleType(kindsUsed),
      doc: filtersForm === 'number' ? filtersDoc(expansions) : 'Filters of each conv of the block, in order.',
      value: (v) => (filtersForm === 'number' ? v.info.filters[0] : v.info.filters),
    },
    { key: 'stride', type: 'number', doc: 'Stride of the block: on its strided conv and on the shortcut.', value: (v) => v.info.stride },
    { key: 'strideAt', type: "'1x1' | '3x3'", doc: 'Which bottleneck conv carries the stride.', value: (v) => (stridePlacementMatters(v.kind) ? v.info.strideAt : undefined) },
    { key: 'dilation', type: 'number', doc: 'Dilation of the 3×3 convs.', value: (v) => v.info.dilation },
    { key: 'groups', type: 'number', doc: 'Groups of the 3×3 conv (ResNeXt cardinality).', value: (v) => (v.kind.units.some((u) => u.grouped) ? v.info.groups : undefined) },
    {
      key: 'shortcutKind', type: shortcutKindsType(shortcuts), doc: 'The shortcut, as the spec forces it for some blocks.',
      value: (v) => (shortcuts.get(v.info.kind)?.mode === 'explicit' ? v.info.shortcut.chosen : undefined),
    },
    {
      key: 'shortcutNorm', type: 'boolean', doc: 'Whether a conv shortcut is followed by BN.',
      value: (v) => (hasConvShortcut(v) && v.kind.activation === 'post' ? v.info.shortcut.norm : undefined),
    },
    {
      key: 'preactShortcut', type: 'boolean', doc: 'Whether a conv shortcut reads the pre-activated input (else the raw input).',
      value: (v) => (hasConvShortcut(v) && v.kind.activation === 'pre' && !v.info.skipPreact ? v.info.preactShortcut : undefined),
    },
    {
      key: 'frozen', type: 'boolean', doc: 'frozen_stages: the stage does not train (nor the stem and the stages before it); its batch norms keep their moving statistics.',
      value: (v) => v.nodes.some((n) => !n.trainable),
    },
    {
      key: 'skipPreact', type: 'boolean', doc: 'The first block follows the stem\'s BN+ReLU, so it does not repeat them.',
      value: (v) => (v.kind.activation === 'pre' ? v.info.skipPreact : undefined),
    },
    { key: 'kernelSize', type: 'number', doc: 'Kernel size of the k×k convs.', value: (v) => (v.kind.units.some((u) => u.kernel === 'k') ? v.info.kernelSize : undefined) },
    {
      key: 'seChannels', type: 'number', doc: 'Width of the squeeze-and-excitation bottleneck.',
      value: (v) => (v.info.attention === 'se' ? (v.byRole.get('attn_fc1') as NodeOf<'conv2d'>).attrs.filters : undefined),
    },
    { key: 'dropPath', type: 'number', doc: 'Stochastic depth: the probability of dropping the residual branch while training.', value: (v) => (v.kind.residual ? v.info.dropPath : undefined) },
  ];
  const stageOf = (vs: BlockView[]) => graph.stages.map((_, s) => vs.filter((v) => v.info.stage === s));
  const byStage = stageOf(views);
  const fields: Field[] = [];
  const consts = new Map<string, Value | undefined>();
  const place = (f: Omit<Field, 'pattern'>, pattern: Pattern) => {
    if (pattern.kind === 'const') consts.set(f.key, pattern.value);
    else fields.push({ ...f, pattern });
  };
  for (const f of valueFields) place(f, choosePattern(byStage.map((stage) => stage.map(f.value))));

  const kinds = kindsUsed.map((kind): KindPlan => {
    const own = views.filter((v) => v.info.kind === kind);
    const descriptor = blockKinds.get(kind);
    const names = new Map<string, string>();
    for (const role of rolesOf(own)) {
      const templates = new Set(own.filter((v) => v.byRole.has(role)).map((v) => nameTemplate(v.byRole.get(role)!.name, naming.id(v.info.stage, v.info.index), naming.param)));
      if (templates.size === 1) names.set(role, [...templates][0]);
    }
    return {
      kind,
      descriptor,
      fn: descriptor.emit.fn,
      names,
      shortcut: shortcuts.get(kind)!,
      bias: convBiases(own, facts.convBias),
      gammaZero: uniformRoles(own, (n) => n.op === 'batch_norm' && n.attrs.gammaZero),
      zeroInit: uniformRoles(own, (n) => n.op === 'conv2d' && n.attrs.zeroInit),
      expansion: expansions.get(kind),
    };
  });
  // Names that are no template of the block id (Keras' automatic max-pool names) travel as arguments.
  const untemplated = [...new Set(kinds.flatMap((k) => rolesOf(views.filter((v) => v.info.kind === k.kind)).filter((r) => !k.names.has(r))))];
  for (const role of untemplated) {
    const key = NAME_FIELD_KEYS[role] ?? `${camelCase(role)}Name`;
    for (const k of kinds) if (!k.names.has(role)) (k.names as Map<string, string>).set(role, key);
    const value = (v: BlockView) => (kinds.find((k) => k.kind === v.info.kind)!.names.get(role) === key ? v.byRole.get(role)?.name : undefined);
    place({ key, type: 'string', doc: roleNameDoc(role) }, choosePattern(byStage.map((stage) => stage.map(value))));
  }
  return { naming, kinds, fields, consts, filtersForm, stages: byStage.map((stage) => stage.map((v) => v.info)) };
}

/** What `filters` means when it is one number: the width, and how much wider the last conv is. */
function filtersDoc(expansions: ReadonlyMap<BlockKind, number | undefined>): string {
  const wider = [...expansions].filter(([, e]) => e !== undefined && e > 1);
  if (wider.length === 0) return 'Width of the block\'s convs.';
  const [kind, e] = wider[0];
  if (wider.length > 1 || expansions.size > 1) return 'Width of the block\'s convs; a block\'s last conv may be wider (its expansion).';
  return blockKinds.get(kind).widths === 'bottleneck' ? `Width of the bottleneck; the block's last conv is ${e}× wider.` : `Width of the block's first conv; the last is ${e}× wider.`;
}

/** `[number, number, number]` when every kind has three convs, and so on. */
function tupleType(kinds: readonly BlockKind[]): string {
  const counts = new Set(kinds.map((k) => blockKinds.get(k).units.length));
  return counts.size === 1 ? `[${Array.from({ length: [...counts][0] }, () => 'number').join(', ')}]` : 'number[]';
}

function roleNameDoc(role: string): string {
  if (role === 'shortcut_maxpool') return "Name of the shortcut's max-pool: Keras leaves that layer unnamed, so it carries Keras' automatic name.";
  return `Name of the block's ${role.replace(/_/g, ' ')} layer.`;
}

function rolesOf(views: readonly BlockView[]): string[] {
  return [...new Set(views.flatMap((v) => v.info.roles.map((r) => roleKey(r.role))))];
}

function hasConvShortcut(v: BlockView): boolean {
  return v.info.shortcut.chosen === 'projection' || v.info.shortcut.chosen === 'avg_down';
}

/** Whether `stride_at` moves the stride of this kind (it does for bottlenecks, not for basic blocks). */
export function stridePlacementMatters(kind: BlockKindDescriptor): boolean {
  return kind.strideUnit['1x1'] !== kind.strideUnit['3x3'];
}

/** e such that every block's filters are [f, e·f] (basic) or [f, f, e·f] (bottleneck); undefined if none. */
function expansionOf(views: readonly BlockView[]): number | undefined {
  const ratios = views.map(({ info: { filters: f }, kind }) => {
    const regular = f.length === kind.units.length && f.slice(0, -1).every((w) => w === f[0]);
    const e = f[f.length - 1] / f[0];
    return regular && Number.isInteger(e) ? e : undefined;
  });
  return ratios.every((e) => e !== undefined && e === ratios[0]) ? ratios[0] : undefined;
}

/** What the shape rule of ir/shortcut.ts gives this block under `rule` (`none`: a kind without shortcut). */
function ruleKind(rule: ShortcutRule, v: BlockView): ShortcutKind | 'none' {
  if (rule === 'none') return v.kind.residual ? 'identity' : 'none';
  return chooseShortcut({ stride: v.info.stride, shortcut: { kind: rule, norm: v.info.shortcut.norm }, shortcutForced: false }, v.inChannels, v.outChannels);
}

function shortcutPlan(views: readonly BlockView[]): ShortcutPlan {
  const used = [...new Set(views.map((v) => v.info.shortcut.chosen))].filter((k): k is ShortcutKind => k !== 'identity' && k !== 'none');
  const rule: ShortcutRule | undefined = used.length === 0 ? 'none'
    : used.includes('maxpool') && used.every((k) => k === 'maxpool' || k === 'projection') ? 'maxpool'
      : used.length === 1 ? used[0] as ShortcutRule : undefined;
  if (rule && views.every((v) => ruleKind(rule, v) === v.info.shortcut.chosen)) return { mode: 'rule', rule };
  return { mode: 'explicit', kinds: ['identity', ...used] };
}

function shortcutKindsType(plans: ReadonlyMap<BlockKind, ShortcutPlan>): string {
  const kinds = new Set([...plans.values()].flatMap((p) => (p.mode === 'explicit' ? p.kinds : [])));
  return [...kinds].map((k) => literal(k)).join(' | ') || 'string';
}

/** Conv roles whose bias differs from the network default; a shortcut conv may have one exactly when it has no BN. */
function convBiases(views: readonly BlockView[], byDefault: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const convRoles = rolesOf(views).filter((r) => views.some((v) => v.byRole.get(r)?.op === 'conv2d'));
  for (const role of convRoles) {
    const uses = views.filter((v) => v.byRole.has(role)).map((v) => ({ v, bias: (v.byRole.get(role) as NodeOf<'conv2d'>).attrs.useBias }));
    if (uses.every((u) => u.bias === uses[0].bias)) {
      if (uses[0].bias !== byDefault) out.set(role, String(uses[0].bias));
      continue;
    }
    invariant(role === 'shortcut_conv' && uses.every((u) => u.bias === !u.v.info.shortcut.norm), `conv role ${role} has a bias in some blocks only`);
    out.set(role, '!shortcutNorm');
  }
  return out;
}

/** Roles for which `test` holds in every block that has them (and fails in none). */
function uniformRoles(views: readonly BlockView[], test: (n: IRNode) => boolean): Set<string> {
  const out = new Set<string>();
  for (const role of rolesOf(views)) {
    const results = views.filter((v) => v.byRole.has(role)).map((v) => test(v.byRole.get(role)!));
    invariant(results.every((r) => r === results[0]), `role ${role} is initialised differently across blocks`);
    if (results[0]) out.add(role);
  }
  return out;
}
