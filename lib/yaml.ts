/**
 * YAML for the synthesized objects: js-yaml's writer (js-yaml also reads the config files),
 * with the settings that keep the files stable and readable by every YAML 1.1 and 1.2 reader.
 */
import { dump, type DumpOptions } from 'js-yaml';

const OPTIONS: DumpOptions = {
  // cdk8s already sorts every object's keys; the order given is the order written
  sortKeys: false,
  // no anchors and aliases when one object appears twice: each file stands on its own
  noRefs: true,
  // a long value (an image with a digest, a CORS list) stays on one line, as written
  lineWidth: -1,
  // quote yes, no, on, off, y, n and base-60 numbers too: YAML 1.1 readers (go-yaml, PyYAML)
  // would read them as booleans and numbers
  noCompatMode: false,
  // double quotes where quoting is needed, as the files had before js-yaml wrote them
  quotingType: '"',
};

/** block-style YAML for JSON-compatible data, ending in a newline */
export function toYaml(value: unknown): string {
  return dump(value, OPTIONS);
}
