/**
 * `npm run set-image -- --env ENV [--app REF] [--migration REF]`, REF being
 * repository[:tag][@sha256:digest]: see io/set-image.ts.
 */
import { setImage } from '../io/set-image';

process.exitCode = setImage(process.argv.slice(2), {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
});
