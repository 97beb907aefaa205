import { Command } from 'commander';
import { registerBench } from './bench';
import { registerCompile } from './compile';
import { registerEmit } from './emit';
import { registerGraph } from './graph';
import { registerInspect } from './inspect';
import { registerEvaluate } from './evaluate';
import { registerExport } from './export';
import { registerList } from './list';
import { registerPlot } from './plot';
import { registerPredict } from './predict';
import { registerTrain } from './train';
import { registerValidate } from './validate';

/** Every CLI command, in the order `--help` lists them. */
export const commands: ReadonlyArray<(program: Command) => void> = [registerList, registerValidate, registerInspect, registerGraph, registerCompile, registerExport, registerEmit, registerTrain, registerEvaluate, registerPredict, registerPlot, registerBench];
