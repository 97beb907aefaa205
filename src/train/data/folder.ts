/**
 * An image folder: one sub-folder per class (torchvision's `ImageFolder` layout), class indices in sorted name order.
 * `root/train/<class>/…` plus `root/test/<class>/…` (or `val/`) gives two splits. PNG and JPEG files are decoded;
 * other files (READMEs, `.DS_Store`) are ignored. Examples are ordered round-robin over the classes, so the first N
 * (`--limit N`) cover every class instead of only the first one.
 */
import * as fs from 'fs';
import * as path from 'path';
import { dataError, displayPath } from './errors';
import { convertChannels, isGrey, readImageFile, resizeBilinear } from './image';
import { Dataset, DataSplits, LoadOptions, Split } from './types';

const IMAGE_EXT = /\.(png|jpe?g)$/i;
const SPLIT_DIRS: Record<string, Split> = { train: 'train', test: 'test', val: 'test' };

function subdirs(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

function imageFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && IMAGE_EXT.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** The split folders of `root` if it has `train/` and `test/` or `val/`, else undefined (a single class tree). */
export function folderSplits(root: string): Partial<Record<Split, string>> | undefined {
  const dirs = subdirs(root);
  if (!dirs.includes('train') || !dirs.some((d) => d === 'test' || d === 'val')) return undefined;
  const splits: Partial<Record<Split, string>> = {};
  for (const d of dirs) if (SPLIT_DIRS[d] && !splits[SPLIT_DIRS[d]]) splits[SPLIT_DIRS[d]] = path.join(root, d);
  return splits;
}

/** True if some sub-folder of `dir` directly holds PNG/JPEG files. */
export function looksLikeImageFolder(dir: string): boolean {
  const splits = folderSplits(dir);
  const classRoot = splits?.train ?? dir;
  return subdirs(classRoot).some((c) => imageFiles(path.join(classRoot, c)).length > 0);
}

/** Files in round-robin class order: class 0's first file, class 1's first file, …, class 0's second file, … */
function interleave(perClass: string[][]): { file: string; label: number }[] {
  const out: { file: string; label: number }[] = [];
  const longest = Math.max(0, ...perClass.map((f) => f.length));
  for (let i = 0; i < longest; i++) {
    perClass.forEach((files, label) => {
      if (i < files.length) out.push({ file: files[i], label });
    });
  }
  return out;
}

/**
 * Every sub-folder is a class (Keras and torchvision alike), so an empty one would be a class the model is asked to
 * predict without ever seeing it; torchvision's ImageFolder refuses it too ("Found no valid file for the classes …").
 */
function emptyClass(dir: string): Error {
  const others = fs.readdirSync(dir).filter((n) => !n.startsWith('.')).length;
  return dataError(displayPath(dir), `class folder holds no PNG or JPEG images${others > 0 ? ` (${others} other file(s))` : ''}`,
    'put the images of this class in it (.png, .jpg, .jpeg), or remove the folder: every sub-folder is a class');
}

function readClassTree(root: string, classRoot: string, classes: string[], split: Split, options: LoadOptions): Dataset {
  const present = subdirs(classRoot);
  const unknown = present.filter((c) => !classes.includes(c));
  if (unknown.length > 0) {
    throw dataError(displayPath(path.join(classRoot, unknown[0])), `class folder not present in the training split (classes: ${classes.join(', ')})`);
  }
  const perClass = classes.map((c) => (present.includes(c) ? imageFiles(path.join(classRoot, c)) : []));
  const empty = classes.findIndex((c, i) => present.includes(c) && perClass[i].length === 0);
  if (empty >= 0) throw emptyClass(path.join(classRoot, classes[empty]));
  const examples = interleave(perClass).slice(0, options.limit ?? Infinity);
  if (examples.length === 0) throw dataError(displayPath(classRoot), 'no PNG or JPEG images in the class folders');

  let h = 0;
  let w = 0;
  let firstFile = '';
  let allGrey = true;
  const rgb: Uint8Array[] = [];
  for (const { file } of examples) {
    const img = readImageFile(file);
    if (options.resize) {
      [h, w] = options.resize;
      rgb.push(resizeBilinear(img.data, [img.height, img.width, 3], h, w));
    } else {
      if (!firstFile) [h, w, firstFile] = [img.height, img.width, file];
      if (img.height !== h || img.width !== w) {
        throw dataError(
          displayPath(file),
          `image is ${img.width}×${img.height} but ${path.basename(firstFile)} is ${w}×${h}`,
          'images of different sizes need resizing: set data.adapt.spatial to resize',
        );
      }
      rgb.push(img.data);
    }
    allGrey &&= isGrey({ ...img, data: rgb[rgb.length - 1] });
  }
  const c = options.channels ?? (allGrey ? 1 : 3);
  const bytesPer = h * w * c;
  const images = new Uint8Array(examples.length * bytesPer);
  rgb.forEach((data, i) => images.set(convertChannels(data, h * w, 3, c), i * bytesPer));
  return {
    name: path.basename(path.resolve(root)),
    split,
    sources: [classRoot],
    classes,
    shape: [h, w, c],
    size: examples.length,
    images,
    labels: Int32Array.from(examples, (e) => e.label),
  };
}

export function readImageFolder(root: string, options: LoadOptions = {}): DataSplits {
  const splits = folderSplits(root) ?? { train: root };
  const classes = subdirs(splits.train ?? splits.test!);
  if (classes.length === 0) throw dataError(displayPath(root), 'no class sub-folders', 'put each class in its own folder: root/<class>/<image>.png');
  const result: DataSplits = { format: 'folder', path: root };
  for (const split of options.splits ?? (['train', 'test'] as Split[])) {
    const dir = splits[split];
    if (dir) result[split] = readClassTree(root, dir, classes, split, options);
  }
  return result;
}
