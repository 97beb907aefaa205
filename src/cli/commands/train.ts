import { Command, InvalidArgumentError } from 'commander';
import type { SingleBar } from 'cli-progress';
import type { BestRule } from '../../train/best';
import type { CheckpointConfig } from '../../train/config';
import type { TrainRunOptions } from '../../train/run';
import { usageError } from '../errors';
import { formatCount, formatDuration } from '../format';
import { ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets } from '../load';
import { BACKEND_CHOICES, backendChoice, positiveInt } from '../options';
import { takeOverClosedStdout } from '../stdout';

function resumeFrom(value: string): 'last' | 'best' {
  if (value !== 'last' && value !== 'best') throw new InvalidArgumentError('expected last or best');
  return value;
}

/** Commander's view of the options: the run options, with repeatable `--set` as `set`. */
type TrainFlags = Omit<TrainRunOptions, 'spec' | 'sets' | 'allowPaths'> & { set: string[]; allowPath: string[] };

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a spec on a dataset (default: a small ResNet on the bundled Fashion-MNIST subset)')
    .argument('[spec]', 'built-in name or spec file with a train: section (default: fashion/resnet8)')
    .option('--data <path>', 'dataset: idx (MNIST/Fashion-MNIST), CIFAR-10/100 binary, image folder, or "synthetic"')
    .option('--epochs <n>', 'number of epochs (overrides train.epochs)', positiveInt)
    .option('--limit <n>', 'use only the first N examples of each split', positiveInt)
    .option('--batch-size <n>', 'batch size (overrides train.batch_size)', positiveInt)
    .option('--out <run-dir>', 'run directory (default: runs/<name>-<time>)')
    .option('--resume', 'continue a run from its last checkpoint, with the settings it recorded: the run directory given as the argument or with --out (else the latest run of the spec)')
    .option('--resume-from <which>', 'continue from last.ckpt (default) or best.ckpt, e.g. when last.ckpt is damaged (implies --resume)', resumeFrom)
    .option('--weights <file>', 'start from these weights, loaded by name: a Keras file (.h5, .weights.h5, .keras), a tfjs model.json, a torch state dict (.safetensors), a .ckpt or a run directory')
    .option('--allow-partial', 'with --weights: start even when some weights are not in the file (a new head on a pretrained base)')
    .option('--set <key=value>', 'override a spec field, e.g. --set train.lr=0.01 (repeatable)', collectSets, [])
    .option(ALLOW_PATH_FLAG, ALLOW_PATH_HELP, collectSets, [])
    .option('--backend <name>', `compute backend: ${BACKEND_CHOICES.join(', ')} (default: auto; with --resume, the one the run trained on)`, backendChoice)
    .option('--threads <n>', 'threads for native kernels (default: all cores)', positiveInt)
    .option('--engine <engine>', 'tfjs (in this process) or torch (PyTorch on torchrun, see the README on scaling out)', 'tfjs')
    .option('--nproc-per-node <n>', '--engine torch: processes on this machine', positiveInt)
    .option('--nnodes <n>', '--engine torch: machines', positiveInt)
    .option('--node-rank <n>', '--engine torch: this machine\'s rank (0 … nnodes − 1)', Number)
    .option('--master-addr <host>', '--engine torch: address of the machine with node rank 0')
    .option('--master-port <port>', '--engine torch: its rendezvous port (default 29500)', positiveInt)
    .option('--python <path>', '--engine torch: the Python that imports torch (default: NETSPEC_PYTHON, python3, /usr/bin/python3)')
    .option('--dry-run', '--engine torch: write the run directory and print the torchrun command without launching it')
    .action(async (spec: string | undefined, flags: TrainFlags & { engine: string }) => {
      if (flags.engine === 'torch' && flags.weights !== undefined) {
        throw usageError('--weights applies to --engine tfjs', 'load the weights into the model with `netspec compile --weights`, or train with the tfjs engine');
      }
      if (flags.engine === 'torch') return (await import('../../backends/pytorch/train/cli')).trainTorchFromCli({ spec, ...flags, sets: flags.set });
      if (flags.engine !== 'tfjs') throw usageError(`--engine ${flags.engine}: expected tfjs or torch`);
      if ((flags as { dryRun?: boolean }).dryRun) throw usageError('--dry-run applies to --engine torch', 'the tfjs engine trains in this process: there is no launch command to print');
      const { startTraining } = await import('../../train/run');
      const bar = new EpochProgress();
      const started = Date.now();
      const stop = new StopControl();
      const say = (text: string) => {
        if (!stop.stdoutClosed) process.stdout.write(text);
      };
      // Installed before the run starts: once its header is printed, a Ctrl-C must not lose the first steps.
      takeOverClosedStdout(() => stop.closeStdout());
      const onSigint = () => stop.interrupt();
      process.on('SIGINT', onSigint);
      const result = await startTraining({ spec, ...flags, sets: flags.set, allowPaths: flags.allowPath }, {
        onStart: ({ runDir, backend, graph, train, test, config, resumedAt, repaired, best, loadedWeights }) => {
          const lines = [
            ...(repaired ?? []).map((note) => `resume: ${note}`),
            `backend: ${backend.description}`,
            ...(loadedWeights ? [loadedWeights.trimEnd()] : []),
            `model: ${graph.name}, ${formatCount(graph.params.total)} parameters (${formatCount(graph.params.trainable)} trainable)`,
            `data: ${train.name}, ${train.size} training and ${test?.size ?? 0} test images of ${train.shape.join('×')}`,
            checkpointLine(best, config.checkpoint),
            `run: ${runDir}${resumedAt !== undefined ? ` (resumed after epoch ${resumedAt})` : ''}; ${config.epochs} epochs of ${Math.ceil(train.size / config.batchSize)} batches of ${config.batchSize}`,
          ];
          say(lines.join('\n') + '\n');
        },
        onStep: (s) => bar.update(s.step, s.steps, { epoch: s.epoch + 1, loss: s.loss.toFixed(3), acc: (100 * s.accuracy).toFixed(1), ips: s.imagesPerSecond.toFixed(0) }),
        onEpoch: (m, epochs) => {
          bar.stop();
          const val = m.val_loss !== undefined ? `  val_loss ${m.val_loss.toFixed(4)}  val_acc ${(100 * (m.val_accuracy ?? 0)).toFixed(2)}%` : '';
          say(`epoch ${m.epoch}/${epochs}  loss ${m.loss.toFixed(4)}  acc ${(100 * m.accuracy).toFixed(2)}%${val}  lr ${m.lr.toPrecision(3)}  ${m.images_per_second.toFixed(0)} img/s  ${m.seconds.toFixed(1)} s\n`);
        },
      }).then((run) => {
        stop.attach(run.trainer);
        return run.result;
      }).finally(() => {
        // Once the run has ended (or failed), a closed stdout or a Ctrl-C ends the command like any other.
        process.off('SIGINT', onSigint);
        takeOverClosedStdout(undefined);
      });
      bar.stop();
      const took = formatDuration(Date.now() - started);
      if (result.reason === 'diverged') {
        process.stderr.write(`netspec: training stopped: ${result.message}\n  hint: lower train.lr (--set train.lr=…) in a new run; --resume would repeat the same steps\n`);
        process.exitCode = 1;
      } else if (result.reason === 'interrupted') {
        const why = stop.stdoutClosed ? 'stopped: standard output was closed' : 'interrupted';
        const line = `${why} after ${took}; checkpoint saved; continue with: netspec train --resume --out ${result.runDir}\n`;
        if (stop.stdoutClosed) process.stderr.write(`netspec: ${line}`);
        else process.stdout.write(line);
        process.exitCode = 130;
      } else {
        say(`done in ${took}; model in ${result.runDir}/model\n  netspec evaluate ${result.runDir}\n  netspec plot ${result.runDir}\n`);
      }
    });
}

/** What the run keeps besides last.ckpt: `checkpoints: best.ckpt by max val_accuracy; epoch-{epoch:03d}.ckpt every 5 epochs`. */
function checkpointLine(best: BestRule & { note?: string }, c: CheckpointConfig): string {
  const snapshots = c.every > 0 ? `; ${c.pattern} every ${c.every === 1 ? 'epoch' : `${c.every} epochs`}` : '';
  return `checkpoints: best.ckpt by ${best.mode} ${best.monitor}${snapshots}${best.note ? ` (${best.note})` : ''}`;
}

/**
 * Why and when a run stops early. Ctrl-C stops after the current step with a checkpoint (a second one quits at
 * once). A closed standard output (`netspec train | head -3`) stops the same way: training on unseen would keep the
 * pipeline (and the shell waiting on it) busy for the whole run, and ending at once would lose the epoch in
 * progress and exit 0 as if the run were complete. Either way the exit code is 130 and the run can be resumed.
 */
class StopControl {
  stdoutClosed = false;
  private trainer?: { requestStop(): void };
  private requested = false;
  private interrupts = 0;

  attach(trainer: { requestStop(): void }): void {
    this.trainer = trainer;
    if (this.requested) trainer.requestStop();
  }

  interrupt(): void {
    if (++this.interrupts > 1) {
      process.stderr.write('\nnetspec: quit without saving; --resume continues from the last checkpoint written (from the start if there is none)\n');
      process.exit(130);
    }
    process.stderr.write('\nstopping: saving a checkpoint after this step (Ctrl-C again to quit at once)\n');
    this.request();
  }

  closeStdout(): void {
    if (this.stdoutClosed) return;
    this.stdoutClosed = true;
    process.stderr.write('netspec: standard output was closed: stopping after this step, with a checkpoint\n');
    this.request();
  }

  private request(): void {
    this.requested = true;
    this.trainer?.requestStop();
  }
}

/** A per-epoch progress bar on a terminal; nothing when output goes to a file or a CI log (epoch lines suffice). */
class EpochProgress {
  private bar?: SingleBar;

  update(step: number, steps: number, payload: Record<string, string | number>): void {
    if (!process.stderr.isTTY) return;
    if (!this.bar) {
      const { SingleBar: Bar, Presets } = require('cli-progress') as typeof import('cli-progress');
      this.bar = new Bar({
        format: 'epoch {epoch} [{bar}] {value}/{total} | loss {loss} | acc {acc}% | {ips} img/s | ETA {eta_formatted}',
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: true,
      }, Presets.shades_classic);
      this.bar.start(steps, step, payload);
    }
    this.bar.update(step, payload);
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
