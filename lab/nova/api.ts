// The lab's own small OpenStack HTTP client (the lab imports nothing from Steward): a
// project-scoped Keystone token and JSON calls to the service endpoints.

export interface LabCredentials {
  authUrl: string;
  username: string;
  password: string;
  project: string;
}

export class OpenStackApi {
  private token?: string;

  constructor(private readonly credentials: LabCredentials) {}

  /** A token for the project, fetched once; `fresh` fetches a new one. */
  async authToken(fresh = false): Promise<string> {
    if (this.token && !fresh) return this.token;
    const { authUrl, username, password, project } = this.credentials;
    const res = await fetch(`${authUrl}/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: username, domain: { name: 'Default' }, password } },
          },
          scope: { project: { name: project, domain: { name: 'Default' } } },
        },
      }),
    });
    if (!res.ok)
      throw new Error(`Keystone login of ${username}: HTTP ${res.status} ${await res.text()}`);
    this.token = res.headers.get('x-subject-token') ?? undefined;
    if (!this.token) throw new Error('Keystone answered without X-Subject-Token');
    return this.token;
  }

  /** A JSON call; a non-2xx answer throws with the body. `microversion` is Nova's. */
  async call<T = unknown>(
    method: string,
    url: string,
    body?: unknown,
    { microversion, raw }: { microversion?: string; raw?: Buffer } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { 'X-Auth-Token': await this.authToken() };
    if (microversion) headers['OpenStack-API-Version'] = `compute ${microversion}`;
    if (raw) headers['Content-Type'] = 'application/octet-stream';
    else if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(url, {
      method,
      headers,
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url}: HTTP ${res.status} ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}
