/** Entry point of the `netspec` command. */
export function main(argv: string[]): void {
  void argv;
  process.stdout.write('netspec\n');
}
