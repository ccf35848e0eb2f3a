// clawd's HTTP API as the pages use it (docs/protocol.md, docs/web.md): the settings a
// page needs before joining (GET /v1/config), the join (POST /v1/join), and the
// spectators' board (GET /v1/watch).
//
// Every call resolves, never rejects, except getConfig and getWatch, which reject when
// clawd cannot be reached (the caller shows that the server is restarting).

export async function getConfig() {
  const response = await fetch('/v1/config', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /v1/config answered ${response.status}`);
  return response.json();
}

export async function getWatch() {
  const response = await fetch('/v1/watch', { cache: 'no-cache' });
  if (!response.ok) throw new Error(`GET /v1/watch answered ${response.status}`);
  return response.json();
}

// Resolves to {ok: true, answer} with the join answer, or {ok: false, reason, error,
// retryAfterS}: reason is clawd's code (queue_full, rate_limited, starting, ...), or
// "unreachable" when no answer came at all (clawd is down or restarting).
export async function join(name) {
  let response;
  try {
    response = await fetch('/v1/join', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
      cache: 'no-store',
    });
  } catch {
    return { ok: false, reason: 'unreachable', error: '', retryAfterS: 0 };
  }
  let body = {};
  try {
    body = await response.json();
  } catch {
    // A proxy's error page, say: the status alone decides.
  }
  if (response.ok && typeof body.channel === 'string') return { ok: true, answer: body };
  const retryAfterS = Number.parseInt(response.headers.get('Retry-After') || '0', 10) || 0;
  const reason = typeof body.reason === 'string' ? body.reason : fallbackReason(response.status);
  return { ok: false, reason, error: typeof body.error === 'string' ? body.error : '', retryAfterS };
}

function fallbackReason(status) {
  if (status === 429) return 'rate_limited';
  if (status === 400) return 'bad_request';
  if (status >= 502 && status <= 504) return 'unreachable';
  return 'refused';
}
