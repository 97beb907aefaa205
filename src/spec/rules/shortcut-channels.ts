import { Diagnostic, error } from '../../diagnostics/diagnostic';
import { ShortcutKind } from '../types';

/**
 * Shortcut rules need the channel counts the planner computes (widths, expansion, base_width), so the lowering
 * (src/ir/shortcut.ts) calls them for every block with its planned numbers; the rules themselves live here with
 * the others. Codes are `semantic/<id>`.
 */
export interface ShortcutFacts {
  /** 0-based stage, block index within it. */
  stage: number;
  index: number;
  kind: ShortcutKind;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Spec pointer of the block (or its stage). */
  pointer: string;
}

export interface ShortcutRule {
  id: string;
  description: string;
  check(b: ShortcutFacts, report: (message: string, hint?: string) => void): void;
}

/** An identity shortcut adds the input unchanged, so the block must keep its shape. */
export const identityShortcut: ShortcutRule = {
  id: 'identity-shortcut',
  description: 'An identity shortcut only where the block keeps channels and resolution.',
  check(b, report) {
    if (b.kind === 'identity' && (b.inChannels !== b.outChannels || b.stride !== 1)) {
      report(`block ${b.index} of stage ${b.stage + 1} changes shape (${b.inChannels}→${b.outChannels} channels, stride ${b.stride}), so its shortcut cannot be identity`,
        'use projection, option_a or avg_down');
    }
  },
};

/** Option A (He et al. 2015, CIFAR) subsamples and zero-pads channels: it cannot remove any. */
export const optionAChannels: ShortcutRule = {
  id: 'option-a-channels',
  description: 'An option-A shortcut only adds channels.',
  check(b, report) {
    if (b.kind === 'option_a' && b.outChannels < b.inChannels) {
      report(`an option-A shortcut can only add channels; block ${b.index} of stage ${b.stage + 1} goes from ${b.inChannels} to ${b.outChannels}`, 'use projection');
    }
  },
};

export const shortcutRules: readonly ShortcutRule[] = [identityShortcut, optionAChannels];

export function shortcutDiagnostics(b: ShortcutFacts): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const rule of shortcutRules) {
    rule.check(b, (message, hint) => out.push(error(`semantic/${rule.id}`, message, `${b.pointer}/shortcut`, { hint })));
  }
  return out;
}
