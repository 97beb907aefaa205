/** The TypeScript backend: IR graph → a readable, self-contained tfjs model module (see ./module). */
export { emitTypeScript, EmitOptions } from './module';
export { builderName } from './code';
