// `steward setup-namespace`: registers Steward's search attributes (workflows/api/common.ts, all Keyword)
// on the configured namespace of a self-hosted Temporal. Idempotent: an attribute already there
// as Keyword is left alone; one there with another type is refused, naming it, before any change.
// (Temporal Cloud registers custom attributes through its own tools, not the operator API.)
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../../workflows/api';
import { CliError, EXIT } from '../exit-codes';

const { IndexedValueType } = temporal.api.enums.v1;
const KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** `INDEXED_VALUE_TYPE_KEYWORD_LIST` → `KeywordList`, as the `temporal` CLI names types. */
const typeName = (t: number) =>
  (IndexedValueType[t] ?? String(t))
    .replace('INDEXED_VALUE_TYPE_', '')
    .toLowerCase()
    .replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());

export async function setupNamespace(client: Client, namespace: string): Promise<number> {
  const operator = client.connection.operatorService;
  const { customAttributes } = await operator.listSearchAttributes({ namespace });
  const names = Object.values(searchAttributes).map((key) => key.name);
  const clashing = names.filter(
    (n) => customAttributes?.[n] != null && customAttributes[n] !== KEYWORD,
  );
  if (clashing.length > 0) {
    const found = clashing.map((n) => `${n} is ${typeName(customAttributes![n])}`);
    throw new CliError(
      `namespace ${namespace}: ${found.join(', ')}; Steward needs Keyword (nothing was changed)`,
      EXIT.failed,
    );
  }
  const missing = names.filter((n) => customAttributes?.[n] == null);
  if (missing.length > 0) {
    await operator.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((n) => [n, KEYWORD])),
    });
  }
  for (const name of names) {
    const done = missing.includes(name) ? 'registered' : 'already registered';
    process.stdout.write(`${name} (Keyword): ${done} on namespace ${namespace}\n`);
  }
  return EXIT.ok;
}
