// The lab's OpenBao as its operator sees it: its HTTP API with the lab's admin token, and the live
// tokens that AppRole logins (Steward's workers) hold.
import { readFileSync } from 'node:fs';
import { vaultAdminTokenFile } from '../../lab';
import type { TestLab } from './lab';

export interface TokenFacts {
  accessor: string;
  /** Unix seconds. */
  creation_time: number;
  last_renewal_time?: number;
}

export function vaultAdmin(lab: TestLab) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${lab.vault!.address}/v1/${path}`, {
      method,
      headers: { 'X-Vault-Token': readFileSync(vaultAdminTokenFile(lab.stateDir), 'utf8').trim() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  };
}

/** The live tokens issued by an AppRole login, found through OpenBao's token accessors. */
export async function workerTokens(lab: TestLab): Promise<TokenFacts[]> {
  const admin = vaultAdmin(lab);
  const { data } = await admin<{ data: { keys: string[] } }>('LIST', 'auth/token/accessors');
  const lookup = (accessor: string) =>
    admin<{ data: TokenFacts & { path: string } }>('POST', 'auth/token/lookup-accessor', {
      accessor,
    });
  const tokens = await Promise.all(
    data.keys.map(async (accessor) => (await lookup(accessor)).data),
  );
  return tokens.filter((t) => t.path === 'auth/approle/login');
}
