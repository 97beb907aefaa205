import { Command } from 'commander';
import { checkRegularFile } from '../../io/read';
import { dataError, displayPath } from '../../train/data/errors';
import { CHECKPOINT_FLAG, CHECKPOINT_HELP, positiveInt } from '../options';

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('top-k classes of PNG/JPEG images with a trained model')
    .argument('<run>', 'run directory (from netspec train) or model.json')
    .argument('<images...>', 'image files')
    .option('--top <k>', 'how many classes to show', positiveInt, 3)
    .option(CHECKPOINT_FLAG, CHECKPOINT_HELP)
    .option('--json', 'print a JSON array')
    .action(async (target: string, images: string[], opts: { top: number; json?: boolean; checkpoint?: string }) => {
      const [{ selectBackend }, { loadServedModel }, { predictFiles }, { describeCheckpoint }] = await Promise.all([
        import('../../runtime/backend'), import('../../train/served-model'), import('../../train/predict'), import('../../train/checkpoint-choice'),
      ]);
      // Before the model loads: a FIFO or /dev/zero among the images would otherwise block or be read forever.
      for (const file of images) checkRegularFile(file, (problem, hint) => dataError(displayPath(file), problem, hint));
      await selectBackend({});
      const served = await loadServedModel(target, opts.checkpoint);
      const predictions = predictFiles(served, images, opts.top);
      if (opts.json) {
        process.stdout.write(JSON.stringify(predictions, null, 2) + '\n');
        return;
      }
      if (served.checkpoint) process.stdout.write(`checkpoint: ${describeCheckpoint(served.checkpoint)}\n`);
      for (const p of predictions) {
        process.stdout.write(`${p.file}: ${p.top.map((t) => `${t.class} ${(100 * t.probability).toFixed(1)}%`).join(', ')}\n`);
      }
    });
}
