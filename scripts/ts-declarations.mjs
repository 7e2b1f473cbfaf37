// A reader of the TypeScript declarations the @kubernetes-models packages ship: one exported
// interface as a type tree (string, number, boolean, literals, unions, Array<T>, maps, inline
// objects, named types). It reads only the constructs those packages write and throws, with the
// file and line, on anything else, so that scripts/import-crd-schema.mjs never guesses.

/** tokens of a declaration file from `at` on; comments and white space are skipped */
function lexer(text, file, at) {
  const token =
    /\s+|\/\*[\s\S]*?\*\/|\/\/[^\n]*|("(?:[^"\\\n]|\\.)*")|([A-Za-z_$][\w$]*)|([{}<>[\];:?|])|(-?\d+(?:\.\d+)?)/y;
  let peeked;
  const read = () => {
    for (;;) {
      const start = at;
      token.lastIndex = at;
      const m = token.exec(text);
      const where = `${file}:${text.slice(0, start).split('\n').length}`;
      if (!m) {
        if (start >= text.length) return { kind: 'end', value: '', where };
        throw new Error(`${where}: cannot read ${JSON.stringify(text.slice(start, start + 20))}`);
      }
      at = token.lastIndex;
      if (m[1] !== undefined) return { kind: 'string', value: JSON.parse(m[1]), where };
      if (m[2] !== undefined) return { kind: 'name', value: m[2], where };
      if (m[3] !== undefined) return { kind: 'punct', value: m[3], where };
      if (m[4] !== undefined) return { kind: 'number', value: m[4], where };
    }
  };
  return {
    peek: () => (peeked ??= read()),
    next() {
      const t = this.peek();
      peeked = undefined;
      return t;
    },
    expect(value) {
      const t = this.next();
      if (t.value !== value || t.kind === 'string')
        throw new Error(
          `${t.where}: expected ${value}, found ${t.kind === 'string' ? JSON.stringify(t.value) : t.value || 'the end'}`,
        );
      return t;
    },
  };
}

/**
 * One TypeScript type, as a tree: string, number, boolean, literal, union, array, map, object
 * or named. Only the constructs the model packages write are read; anything else throws.
 */
function parseType(lex) {
  const first = parsePrimary(lex);
  if (lex.peek().value !== '|' || lex.peek().kind === 'string') return first;
  const of = [first];
  while (lex.peek().value === '|' && lex.peek().kind === 'punct') {
    lex.next();
    of.push(parsePrimary(lex));
  }
  return { t: 'union', of, where: first.where };
}

function parsePrimary(lex) {
  const t = lex.next();
  const where = t.where;
  if (t.kind === 'string') return { t: 'literal', value: t.value, where };
  if (t.kind === 'number') return { t: 'number-literal', value: Number(t.value), where };
  if (t.kind === 'name') {
    if (t.value === 'string' || t.value === 'number' || t.value === 'boolean') return { t: t.value, where };
    if (t.value === 'Array') {
      lex.expect('<');
      const of = parseType(lex);
      lex.expect('>');
      return { t: 'array', of, where };
    }
    return { t: 'named', name: t.value, where };
  }
  if (t.value === '{') return parseObjectBody(lex, where);
  throw new Error(`${where}: a type cannot start with ${t.value || 'the end'}`);
}

/** the members of `{ ... }` after its opening brace: quoted fields, or one index signature */
function parseObjectBody(lex, where) {
  const fields = [];
  let index;
  while (lex.peek().value !== '}' || lex.peek().kind === 'string') {
    const t = lex.next();
    if (t.kind === 'string') {
      const optional = lex.peek().value === '?' && lex.peek().kind === 'punct';
      if (optional) lex.next();
      lex.expect(':');
      fields.push({ name: t.value, required: !optional, type: parseType(lex), where: t.where });
    } else if (t.value === '[' && t.kind === 'punct') {
      lex.expect('key');
      lex.expect(':');
      lex.expect('string');
      lex.expect(']');
      lex.expect(':');
      if (index) throw new Error(`${t.where}: a second index signature`);
      index = parseType(lex);
    } else {
      throw new Error(`${t.where}: expected a quoted field name or [key: string], found ${t.value || 'the end'}`);
    }
    lex.expect(';');
  }
  lex.next();
  if (index && fields.length > 0) throw new Error(`${where}: an object type with both fields and an index signature`);
  return index ? { t: 'map', of: index, where } : { t: 'object', fields, where };
}

/** the declaration of interface `name` in `text`, as a type tree */
export function readInterface(text, name, file) {
  const m = new RegExp(`^export interface ${name} \\{`, 'm').exec(text);
  if (!m) throw new Error(`${file}: no export interface ${name}`);
  const lex = lexer(text, file, m.index + m[0].length);
  return parseObjectBody(lex, `${file}:${text.slice(0, m.index).split('\n').length + 1}`);
}
