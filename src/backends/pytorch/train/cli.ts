/** The terminal side of `netspec train --engine torch`: the same start, epoch and end lines as the tfjs engine. */
import { formatCount, formatDuration } from '../../../cli/format';
import { DistributedOptions, trainOnTorch } from './launch';
import { TorchRunOptions } from './prepare';

export async function trainTorchFromCli(o: TorchRunOptions & DistributedOptions): Promise<void> {
  const started = Date.now();
  const { dir, code, launched } = await trainOnTorch(o, {
    onStart: (run, python, command) => {
      const world = (o.nprocPerNode ?? 1) * (o.nnodes ?? 1);
      process.stdout.write([
        `backend: torch ${python.torchVersion} (${python.executable}), ${world} process(es), ${python.cuda ? 'NCCL on CUDA' : 'gloo on CPU'}`,
        `model: ${run.graph.name}, ${formatCount(run.graph.params.total)} parameters (${formatCount(run.graph.params.trainable)} trainable)`,
        `data: ${run.train.name}, ${run.train.size} training and ${run.test?.size ?? 0} test images of ${run.train.shape.join('×')}`,
        `run: ${run.dir}${run.resumed ? ' (resumed)' : ''}; ${run.config.epochs} epochs of ${Math.ceil(run.train.size / run.config.batchSize)} global batches of ${run.config.batchSize}`,
        `launch: ${command.join(' ')}`,
      ].join('\n') + '\n');
    },
    onEpoch: (m, epochs) => {
      const val = m.val_loss !== undefined ? `  val_loss ${m.val_loss.toFixed(4)}  val_acc ${(100 * m.val_accuracy).toFixed(2)}%` : '';
      process.stdout.write(`epoch ${m.epoch}/${epochs}  loss ${m.loss.toFixed(4)}  acc ${(100 * m.accuracy).toFixed(2)}%${val}  lr ${m.lr.toPrecision(3)}  ${m.images_per_second.toFixed(0)} img/s  ${m.seconds.toFixed(1)} s\n`);
    },
  });
  if (!launched) {
    process.stdout.write(`not launched (--dry-run): ${dir} is ready; run the launch command above on every machine, or netspec train with the same flags without --dry-run\n`);
    return;
  }
  const took = formatDuration(Date.now() - started);
  if (code !== 0) {
    process.stderr.write(`netspec: torchrun exited with status ${code} after ${took}; the last checkpoint is kept\n  hint: continue with: netspec train --engine torch --resume --out ${dir}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`done in ${took}; model in ${dir}/model\n  netspec evaluate ${dir}\n  netspec plot ${dir}\n`);
}
