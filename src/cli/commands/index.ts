import { Command } from 'commander';
import { registerBench } from './bench';
import { registerCompile } from './compile';
import { registerEmit } from './emit';
import { registerInspect } from './inspect';
import { registerList } from './list';
import { registerTrain } from './train';
import { registerValidate } from './validate';

/** Every CLI command, in the order `--help` lists them. */
export const commands: ReadonlyArray<(program: Command) => void> = [registerList, registerValidate, registerInspect, registerCompile, registerEmit, registerTrain, registerBench];
