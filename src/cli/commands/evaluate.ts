import { Command } from 'commander';
import type { BackendChoice } from '../../runtime/backend';
import { backendChoice, BACKEND_CHOICES, CHECKPOINT_FLAG, CHECKPOINT_HELP, positiveInt } from '../options';

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description('loss, top-1/top-5 accuracy and confusion matrix of a trained model on a test split')
    .argument('<run>', 'run directory (from netspec train) or model.json')
    .option('--data <path>', 'dataset (default: the data the run was trained on)')
    .option('--limit <n>', 'use only the first N test examples', positiveInt)
    .option(CHECKPOINT_FLAG, CHECKPOINT_HELP)
    .option('--json', 'print one JSON object')
    .option('--backend <name>', `compute backend: ${BACKEND_CHOICES.join(', ')}`, backendChoice, 'auto')
    .action(async (target: string, opts: { data?: string; limit?: number; json?: boolean; backend: BackendChoice; checkpoint?: string }) => {
      const [{ selectBackend }, { loadServedModel }, { evaluate }, { formatConfusion }, { describeCheckpoint }] = await Promise.all([
        import('../../runtime/backend'), import('../../train/served-model'), import('../../train/evaluate'), import('../../train/metrics'),
        import('../../train/checkpoint-choice'),
      ]);
      const backend = await selectBackend({ backend: opts.backend });
      const served = await loadServedModel(target, opts.checkpoint);
      const report = await evaluate(served, opts);
      const checkpoint = served.checkpoint;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ ...report, backend: backend.name, ...(checkpoint ? { checkpoint } : {}) }, null, 2) + '\n');
        return;
      }
      process.stdout.write([
        ...(checkpoint ? [`checkpoint: ${describeCheckpoint(checkpoint)}`] : []),
        `data: ${report.data} (${report.examples} test images), backend: ${backend.name}`,
        `loss ${report.loss.toFixed(4)}  top-1 ${(100 * report.top1).toFixed(2)}%  top-5 ${(100 * report.top5).toFixed(2)}%`,
        '',
        formatConfusion(report.confusion),
      ].join('\n') + '\n');
    });
}
