/**
 * Renewing an expired access token from the session's refresh token (docs/api.md,
 * Authentication), shared by the storefront and the admin console. One refresh at a time: every
 * request that found its token expired meanwhile waits for the same answer, as a refresh token
 * serves once (a second use would end the session).
 *
 * `refreshKey`: where the refresh token is kept (localStorage); `keep`: stores the new tokens.
 * The refresher answers true with new tokens kept, false when the session is over.
 */
export function sessionRefresher(refreshKey, keep) {
  let refreshing;
  return () => {
    const refreshToken = localStorage.getItem(refreshKey);
    if (!refreshToken) return Promise.resolve(false);
    refreshing ??= fetch('/api/v1/auth/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) })
      .then(async (response) => {
        if (!response.ok) return false;
        keep(await response.json());
        return true;
      })
      .catch(() => false)
      .finally(() => (refreshing = undefined));
    return refreshing;
  };
}
