// The JSON API, from the browser: same origin, bearer token when the server has API_TOKEN.
// The token lives in sessionStorage: this tab only, gone when the tab closes, never in a
// cookie (so no request carries it unless this code adds it, and there is no CSRF to fear).

const TOKEN_KEY = 'video-job-server.apiToken';

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined,
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** An answer that is not 2xx: status, the API's error code and its message (safe to show). */
export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// The server's clock minus ours (from the Date header), so ages are right on a skewed laptop.
let clockOffsetMs = 0;
export const serverNow = () => Date.now() + clockOffsetMs;

function trackClock(response) {
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isNaN(date)) return;
  // The header has whole seconds: ignore anything the rounding alone could explain.
  const offset = date + 500 - Date.now();
  clockOffsetMs = Math.abs(offset) > 2000 ? offset : 0;
}

export async function request(path, { method = 'GET', signal } = {}) {
  const headers = { accept: 'application/json' };
  const bearer = token.get();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  let response;
  try {
    response = await fetch(path, { method, headers, signal, cache: 'no-store' });
  } catch (error) {
    if (error?.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the server did not answer (is it running?)');
  }
  trackClock(response);
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = body?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : `HTTP ${response.status} ${response.statusText}`,
      body,
    );
  }
  return body;
}

const jobPath = (id) => `/jobs/${encodeURIComponent(id)}`;

export const api = {
  health: (signal) => request('/health', { signal }),
  jobs({ statuses, cursor, limit }, signal) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (statuses.length > 0) query.set('status', statuses.join(','));
    if (cursor) query.set('cursor', cursor);
    return request(`/jobs?${query}`, { signal });
  },
  job: (id, signal) => request(jobPath(id), { signal }),
  retry: (id) => request(`${jobPath(id)}/retry`, { method: 'POST' }),
  cancel: (id) => request(`${jobPath(id)}/cancel`, { method: 'POST' }),
};
