/**
 * Which environment variable names hold secrets: used by the config check (no literal secret
 * in extraEnv) and by the policy (no literal secret in any manifest).
 */
const SECRET_WORD = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|DB_URL$|DATABASE_URL$)/i;
// switches and pointers about a secret are not the secret: REVIEWPOINT_API_KEY_ENABLED, TOKEN_TTL
const ABOUT_A_SECRET = /_(ENABLED|DISABLED|FILE|PATH|NAME|HEADER|TTL|ALGORITHM|EXPIRE_MINUTES|LENGTH)$/i;

export function looksLikeSecretName(name: string): boolean {
  return SECRET_WORD.test(name) && !ABOUT_A_SECRET.test(name);
}
