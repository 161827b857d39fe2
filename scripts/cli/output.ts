// `-o json|yaml`: what scripts read instead of the tables and prose meant for people. The shapes
// are documented in docs/cli-output.md; fields are added, never renamed or removed, within 0.x.
import { Option } from 'commander';
import { stringify } from 'yaml';

export type OutputFormat = 'json' | 'yaml';

export const outputOption = () =>
  new Option('-o, --output <format>', 'print json or yaml for scripts').choices(['json', 'yaml']);

export function writeStructured(value: unknown, format: OutputFormat): void {
  process.stdout.write(
    format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value),
  );
}
