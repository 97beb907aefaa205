/**
 * What a layer is for inside its part of the network: the typed key every naming scheme, the architecture level
 * and the emitter read. Conv units carry their 1-based position (`{ kind: 'conv', unit: 2 }` is a block's second
 * conv, its BN, ReLU and pad share the 2), so nothing ever parses a layer name or a role string back.
 */
import { HeadLayerType } from '../spec/types';

export type UnitRoleKind = 'conv' | 'bn' | 'relu' | 'pad';

export type NamedRoleKind =
  | 'input'
  /** Stem pool and its explicit padding. */
  | 'pool' | 'avg_pool' | 'pool_pad'
  /** Pre-activation blocks: BN+ReLU before the first conv. */
  | 'preact_bn' | 'preact_relu'
  | 'shortcut_conv' | 'shortcut_bn' | 'shortcut_avgpool' | 'shortcut_maxpool' | 'shortcut_subsample'
  /** Squeeze-and-excitation / ECA, between the residual branch and the sum. */
  | 'attn_pool' | 'attn_fc1' | 'attn_relu' | 'attn_fc2' | 'attn_conv' | 'attn_gate' | 'attn_scale'
  /** Stochastic depth on the residual branch. */
  | 'drop_path'
  | 'add' | 'out'
  /** Head. */
  | 'post_bn' | 'post_relu' | 'max_pool' | 'flatten' | 'dropout' | 'fc'
  /** The stem's in-model resize (UpSampling2D). */
  | 'resize';

/** Item `index` (0-based) of `head.layers`, of its spec type, with the name the spec gave it if any. */
export interface HeadLayerRole {
  kind: 'head_layer';
  index: number;
  type: HeadLayerType;
  name?: string;
}

export type Role = { kind: UnitRoleKind; unit: number } | { kind: NamedRoleKind } | HeadLayerRole;

export function unitRole(kind: UnitRoleKind, unit: number): Role {
  return { kind, unit };
}

export function role(kind: NamedRoleKind): Role {
  return { kind };
}

/** The role's unit, 0 for roles that are not part of a conv unit. */
export function unitOf(r: Role): number {
  return 'unit' in r ? r.unit : 0;
}

/** A stable key for maps and messages (`conv2`, `shortcut_conv`); one way only, never parsed back. */
export function roleKey(r: Role): string {
  if (r.kind === 'head_layer') return `head_layer${r.index}`;
  return 'unit' in r ? `${r.kind}${r.unit}` : r.kind;
}
