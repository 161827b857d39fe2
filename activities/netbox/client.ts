// NetBox REST API v4 over fetch. What NetBox cannot answer now (5xx, no connection, timeout) is a
// retryable failure; what it refuses (4xx) is not, and carries NetBox's own message and field.
import { ApplicationFailure } from '@temporalio/common';
import { invalidInput, NETBOX_FAILURES } from '../../workflows/api';

export interface NetboxConfig {
  /** The base URL, e.g. https://netbox.example.com (no /api). */
  url: string;
  /** A file holding the API token (v2 `nbt_<key>.<token>` or a v1 token). */
  tokenFile?: string;
  /** Or a Vault reference to it, e.g. vault:secret/data/netbox#token. */
  tokenRef?: string;
  /** Per-request timeout; default 15 s. */
  timeoutMs?: number;
}

export class NetboxClient {
  private token?: Promise<string>;

  constructor(
    private readonly config: NetboxConfig,
    private readonly readToken: () => Promise<string>,
  ) {}

  /**
   * Calls `/api/<path>` and returns NetBox's JSON answer. A 401 with a token read earlier reads
   * the token again and asks once more: a rotated token needs no worker restart.
   */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const what = `NetBox ${method} /api/${path.split('?')[0]}`;
    const cached = this.token !== undefined;
    let res = await this.send(what, method, path, body);
    if (res.status === 401 && cached) {
      this.token = undefined;
      res = await this.send(what, method, path, body);
    }
    const text = await res.text();
    if (res.ok) return (text ? JSON.parse(text) : {}) as T;
    throw netboxFailure(what, res.status, text);
  }

  private async send(what: string, method: string, path: string, body: unknown): Promise<Response> {
    const token = await this.authorization();
    try {
      return await fetch(`${this.config.url.replace(/\/$/, '')}/api/${path}`, {
        method,
        headers: {
          Authorization: token,
          Accept: 'application/json',
          'Content-Type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 15_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw ApplicationFailure.create({
        type: NETBOX_FAILURES.unavailable,
        message: `${what}: ${(err as Error).message}${cause ? ` (${cause})` : ''}`,
      });
    }
  }

  /** v2 tokens (nbt_<key>.<token>) go as `Bearer`, v1 tokens as `Token`. */
  private async authorization(): Promise<string> {
    this.token ??= this.readToken().catch((err: unknown) => {
      this.token = undefined;
      throw err;
    });
    const token = await this.token;
    return token.startsWith('nbt_') ? `Bearer ${token}` : `Token ${token}`;
  }
}

/**
 * NetBox's refusals: a 400 names the fields it rejects (`{"status": ["..."]}`, nested for custom
 * fields); other errors carry `detail` (4xx) or `error` and `exception` (5xx).
 */
export function netboxFailure(what: string, status: number, text: string): ApplicationFailure {
  const body = parseJson(text);
  if (status >= 500) {
    const reason = body?.error
      ? `${String(body.error)}${body.exception ? ` (${String(body.exception)})` : ''}`
      : text.slice(0, 500);
    return ApplicationFailure.create({
      type: NETBOX_FAILURES.unavailable,
      message: `${what}: HTTP ${status}: ${reason}`,
    });
  }
  const fields = status === 400 && body ? fieldErrors(body) : [];
  if (fields.length > 0) {
    const reason = fields.map(([field, messages]) => `${field}: ${messages}`).join('; ');
    return invalidInput(inputField(...fields[0]), `${what} refused: ${reason}`);
  }
  return ApplicationFailure.create({
    type: NETBOX_FAILURES.refused,
    message: `${what}: HTTP ${status}: ${body?.detail ? String(body.detail) : text.slice(0, 500)}`,
    nonRetryable: true,
  });
}

/**
 * The Steward input behind a NetBox field: `custom_fields.x` and NetBox's object-wide complaint
 * about "custom field 'x'" are `customFields.x`; other fields keep NetBox's name.
 */
function inputField(field: string, message: string): string {
  const custom = /^custom_fields\.(.+)$/.exec(field) ?? /custom field '([^']+)'/.exec(message);
  return custom ? `customFields.${custom[1]}` : field;
}

/** `{"a": ["m"], "custom_fields": {"b": ["n"]}}` → [["a", "m"], ["custom_fields.b", "n"]]. */
function fieldErrors(body: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(body).flatMap(([key, value]): [string, string][] => {
    const field = prefix + key;
    if (Array.isArray(value)) return [[field, value.map(String).join(' ')]];
    if (typeof value === 'string') return [[field, value]];
    if (value && typeof value === 'object') {
      return fieldErrors(value as Record<string, unknown>, `${field}.`);
    }
    return [];
  });
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
