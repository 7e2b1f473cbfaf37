/**
 * What looks like a secret, in a name or in a value: used by the config check (no literal secret
 * in extraEnv, commands, annotations or any other field) and by the policy (no literal secret in
 * any manifest). A finding shows where the secret is, never the secret itself.
 */
const SECRET_WORD = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|DB_URL$|DATABASE_URL$)/i;
// switches and pointers about a secret are not the secret: REVIEWPOINT_API_KEY_ENABLED, TOKEN_TTL
const ABOUT_A_SECRET = /_(ENABLED|DISABLED|FILE|PATH|NAME|HEADER|TTL|ALGORITHM|EXPIRE_MINUTES|LENGTH)$/i;

/** a variable, key or flag name whose value is a secret (`-`, `.` and `_` read alike) */
export function looksLikeSecretName(name: string): boolean {
  const n = name.replace(/[-.]/g, '_');
  return SECRET_WORD.test(n) && !ABOUT_A_SECRET.test(n);
}

// scheme://authority: the authority ends where the path, query or fragment starts, or the text
// stops being a URL (white space, quotes, brackets around it). A scheme is short: bounding it keeps
// the scan linear in a long value, where an unbounded one retried every letter before "://"
const URL_AUTHORITY = /([A-Za-z][A-Za-z0-9+.-]{0,31}):\/\/([^/?#\s"'<>`\\]*)/g;
// RFC 9110 4.2.4: a sender must not generate userinfo in an http(s) URI at all
const NO_USERINFO = new Set(['http', 'https', 'ws', 'wss']);
// a value handed over by reference: Kubernetes expands $(VAR) in command and args from the env
const REFERENCE = /^\$\([A-Za-z_][-._A-Za-z0-9]*\)$/;
// --flag, --flag=value, -Dkey=value, and a shell's NAME=value
const FLAG = /^(--?)?([A-Za-z_][-_.A-Za-z0-9]*)(=(.*))?$/;

/**
 * Where a text carries a credential in plain text: a URL with userinfo (a password in any scheme,
 * any userinfo in http(s), where a token takes the user's place), or a secret-looking flag with its
 * value, joined (`--password=x`, `DB_PASSWORD=x`) or as the next word (`--ssl-keyfile-password hunter2`).
 * `words` are read in order, so a flag and its value may be two arguments of a command;
 * each word is also split at white space, so a shell string (`sh -c "tool --token x"`) is read too.
 * @returns the credential shown with the secret masked, e.g. `https://user:***@host`
 */
export function credentialIn(...words: readonly string[]): string | undefined {
  for (const word of words) {
    for (const [, scheme, authority] of word.matchAll(URL_AUTHORITY)) {
      const at = authority.lastIndexOf('@');
      if (at === -1) continue;
      const userinfo = authority.slice(0, at);
      const colon = userinfo.indexOf(':');
      const password = colon === -1 ? '' : userinfo.slice(colon + 1);
      if (password !== '' || (NO_USERINFO.has(scheme.toLowerCase()) && userinfo !== '')) {
        const user = colon === -1 ? '***' : `${userinfo.slice(0, colon)}:***`;
        return `${scheme}://${user}@${authority.slice(at + 1)}`;
      }
    }
  }
  const tokens = words.flatMap((w) => w.split(/\s+/).filter(Boolean));
  for (let i = 0; i < tokens.length; i++) {
    const flag = FLAG.exec(tokens[i]);
    if (!flag || !looksLikeSecretName(flag[2])) continue;
    const joined = flag[4];
    if (joined !== undefined) {
      if (joined !== '' && !REFERENCE.test(joined)) return `${tokens[i].slice(0, tokens[i].indexOf('='))}=***`;
      continue;
    }
    const next = tokens[i + 1];
    if (flag[1] !== undefined && next !== undefined && !next.startsWith('-') && !REFERENCE.test(next))
      return `${tokens[i]} ***`;
  }
  return undefined;
}
