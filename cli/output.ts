// `-o json|yaml`: what scripts read instead of the tables and prose meant for people. The shapes
// are documented in docs/cli-output.md; fields are added, never renamed or removed, within 0.x.
import { Option } from 'commander';
import { stringify } from 'yaml';
import { CliError, EXIT } from './exit-codes';

export type OutputFormat = 'json' | 'yaml';

export const outputOption = () =>
  new Option('-o, --output <format>', 'print json or yaml for scripts').choices(['json', 'yaml']);

export function writeStructured(value: unknown, format: OutputFormat): void {
  process.stdout.write(
    format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value),
  );
}

/** A plan's `-o`: it means nothing to a started operation (which is watched), so it needs --dry-run. */
export function planOutput(options: {
  output?: OutputFormat;
  dryRun?: boolean;
}): OutputFormat | undefined {
  if (options.output && !options.dryRun) {
    throw new CliError(
      '-o/--output: only with --dry-run (a started operation is watched)',
      EXIT.usage,
    );
  }
  return options.output;
}

/** Writes a read-only result: structured when asked for, else its text for people. */
export function writeResult<T>(
  value: T,
  output: OutputFormat | undefined,
  render: (v: T) => string,
): void {
  if (output) writeStructured(value, output);
  else process.stdout.write(`${render(value)}\n`);
}
