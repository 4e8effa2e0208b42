// The Fivetran agent token is base64 of `<controller_id>:<secret>`; install.sh checks the controller id
// against ^[a-zA-Z]+_[a-zA-Z]+$. We check the same, and say why when it fails (upstream exits silently).
export const CONTROLLER_ID_RE = /^[a-zA-Z]+_[a-zA-Z]+$/;

export type TokenCheck = { ok: true; controllerId: string } | { ok: false; message: string };

export function checkToken(token: string): TokenCheck {
  const t = token.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t) || t.length % 4 === 1) {
    return { ok: false, message: 'is not base64; copy the whole token shown when the agent was created in the Fivetran dashboard' };
  }
  const decoded = Buffer.from(t, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) {
    return { ok: false, message: 'does not decode to <controller_id>:<secret>; copy the whole token from the Fivetran dashboard' };
  }
  const controllerId = decoded.slice(0, colon);
  if (!CONTROLLER_ID_RE.test(controllerId)) {
    return { ok: false, message: 'has a controller id that is not two words of letters joined by "_" (like clever_tiger); copy the whole token from the Fivetran dashboard' };
  }
  return { ok: true, controllerId };
}
