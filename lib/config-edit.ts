/**
 * Edits of a config file's text that keep everything a person wrote: comments, blank lines, key
 * order, quoting and flow style. The yaml library's document API changes the nodes it is told to
 * and writes the rest back as it was read.
 */
import { isMap, parseDocument } from 'yaml';
import type { ImageConfig } from './config';

/** an image field of the config: the app's, the migration's, or a worker's or cron job's own */
export type ImageField = 'app.image' | 'migration.image' | `workers.${string}.image` | `cronJobs.${string}.image`;

/**
 * The text with each given image replaced: repository, tag and digest as given, and a tag or
 * digest the new image does not have removed (an old digest must never pin a new tag).
 * @throws Error when the text is not YAML, or a parent of the field is not a mapping
 */
export function setImages(text: string, images: ReadonlyMap<ImageField, ImageConfig>): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new Error(`not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  for (const [field, image] of images) {
    const path = field.split('.');
    for (let i = 1; i <= path.length; i++) {
      const node = doc.getIn(path.slice(0, i), true);
      if (node !== undefined && !isMap(node))
        throw new Error(
          `field ${path.slice(0, i).join('.')} is not a mapping; allowed: a mapping with repository, tag and digest`,
        );
    }
    for (const key of ['repository', 'tag', 'digest'] as const) {
      const value = image[key];
      if (value === undefined) doc.deleteIn([...path, key]);
      else doc.setIn([...path, key], value);
    }
  }
  // lineWidth 0: never fold a long line the author wrote on one
  return doc.toString({ lineWidth: 0 });
}
