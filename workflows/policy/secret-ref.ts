// Secret references: workflows carry `vault:<KV v2 data path>#<key>` (for example
// `vault:secret/data/bmc/node-7#password`), never the secret itself; activities resolve them.
import { invalidInput } from '../api';

export interface SecretRef {
  /** The KV v2 API path under /v1/, e.g. `secret/data/bmc/node-7`. */
  path: string;
  /** The key inside the secret, e.g. `password`. */
  key: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const SHAPE = 'vault:<mount>/data/<path>#<key>';

/** Parses a reference; a bad one is refused naming `field`, the input that carried it. */
export function parseSecretRef(ref: unknown, field = 'secretRef'): SecretRef {
  const refuse = (reason: string) =>
    invalidInput(field, `${reason}; expected ${SHAPE}, e.g. vault:secret/data/bmc/node-7#password`);
  if (typeof ref !== 'string') throw refuse(`must be a string, got ${typeof ref}`);
  if (!ref.startsWith('vault:')) throw refuse(`"${ref}" does not start with vault:`);
  const [path, key, ...extra] = ref.slice('vault:'.length).split('#');
  if (key === undefined || extra.length > 0) throw refuse(`"${ref}" needs exactly one #`);
  if (!NAME.test(key)) throw refuse(`key "${key}" must be letters, digits, _ . or -`);
  const segments = path.split('/');
  const bad = segments.find((s) => !NAME.test(s) || s === '.' || s === '..');
  if (bad !== undefined) {
    throw refuse(`path "${path}" has a bad segment "${bad}" (letters, digits, _ . -; no . or ..)`);
  }
  const data = segments.indexOf('data');
  if (data < 1 || data === segments.length - 1) {
    throw refuse(`path "${path}" is not a KV v2 data path <mount>/data/<path>`);
  }
  return { path, key };
}
