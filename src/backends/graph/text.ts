/** What a box says and how much room its text takes (no font files at hand: measured averages of sans-serif). */
import { formatCount } from '../../cli/format';
import type { DrawNode, Level } from './model';

export const BOX = { titleSize: 12, textSize: 10.5, frameSize: 12, lineHeight: 14, padX: 10, padY: 8, minWidth: 120 };

/** Helvetica/Arial average advance: 0.55 em; titles are bold, a little wider. */
export function textWidth(text: string, size: number): number {
  return Math.ceil(text.length * size * (size >= BOX.titleSize ? 0.6 : 0.56));
}

export function boxLines(n: DrawNode, level: Level): string[] {
  const shape = n.shape.join('×');
  const params = n.params > 0 ? `${formatCount(n.params)} params` : '';
  // Layers are many and small: two lines. Blocks and stages carry a third with their parameters.
  if (level === 'layer') return [n.name, [n.type, shape, params].filter(Boolean).join(' · ')];
  return [n.name, `${n.type} · ${shape}`, ...(params ? [params] : [])];
}
