// Maintainer-only: derives what one Grafana release's dashboard schema
// accepts from the declaration files of its npm package @grafana/schema,
// with the TypeScript compiler's own type checker (so Omit<>, extends,
// generics with defaults, enums and aliases resolve as tsc resolves them).
//
//   node extract.mjs <unpacked package dir>   # prints the JSON on stdout
//
// `go run mage.go grafanaschema` runs it (npm pack, sha256, this script)
// and writes gen/internal/verify/grafanaschema/grafana-schema-<version>.json;
// gen and check only read that file. The output is deterministic: every
// object's keys are sorted.
//
// Type notation (what gen/internal/verify/grafanaschema decodes):
//   "string" | "number" | "boolean" | "null" | "any"
//   {"ref": name}                 a named type of "types"
//   {"array": T}
//   {"enum": [values]}            string or number literals (TS enums, literal unions)
//   {"anyOf": [T, ...]}           any of the members
//   {"object": {prop: {"type": T, "optional": bool}}, "additional": T}
//                                 closed unless "additional" (an index signature) is set

import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const pkgDir = path.resolve(process.argv[2] ?? '');
const esm = path.join(pkgDir, 'dist', 'esm');
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
if (pkg.name !== '@grafana/schema') {
  throw new Error(`${pkgDir}: package ${pkg.name}, want @grafana/schema`);
}

// The panel configurations: raw/composable/<dir>/panelcfg/x/*_types.gen.d.ts.
// The directory name is the panel type for the core panels we use
// (timeseries, stat, gauge, bargauge, table, ...).
const composable = path.join(esm, 'raw', 'composable');
const panelFiles = {};
for (const dir of fs.readdirSync(composable).sort()) {
  const x = path.join(composable, dir, 'panelcfg', 'x');
  if (!fs.existsSync(x)) continue;
  const f = fs.readdirSync(x).filter((n) => n.endsWith('_types.gen.d.ts'));
  if (f.length !== 1) throw new Error(`${x}: ${f.length} type files`);
  panelFiles[dir] = path.join(x, f[0]);
}

const index = path.join(esm, 'index.d.ts');
const program = ts.createProgram([index, ...Object.values(panelFiles)], {
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  types: [],
  baseUrl: pkgDir,
  // The panel files import '@grafana/schema': the package itself.
  paths: { '@grafana/schema': ['dist/esm/index.d.ts'] },
});
const diags = ts.getPreEmitDiagnostics(program);
if (diags.length > 0) {
  throw new Error(ts.formatDiagnostics(diags, {
    getCanonicalFileName: (f) => f, getCurrentDirectory: () => pkgDir, getNewLine: () => '\n',
  }));
}
const checker = program.getTypeChecker();

// tag names the module a declaration comes from: "common", "dashboard",
// or the panel directory ("bargauge").
function tag(file) {
  const rel = path.relative(esm, file.fileName).split(path.sep);
  if (rel[0] === 'raw' && rel[1] === 'composable') return rel[2];
  if (rel[0] === 'common' || (rel[0] === 'veneer' && rel[1] === 'common.types.d.ts')) return 'common';
  if (rel[0] === 'veneer' || rel[1] === 'dashboard') return 'dashboard';
  return rel.join('/').replace(/\.d\.ts$/, '');
}

const types = {};        // name -> definition
const names = new Map(); // ts.Type -> name

function exportedType(file, name) {
  const sf = program.getSourceFile(file);
  const mod = checker.getSymbolAtLocation(sf);
  const sym = checker.getExportsOfModule(mod).find((s) => s.name === name);
  if (!sym) return undefined;
  const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
  return checker.getDeclaredTypeOfSymbol(target);
}

function exportedConst(file, name) {
  const sf = program.getSourceFile(file);
  const mod = checker.getSymbolAtLocation(sf);
  const sym = checker.getExportsOfModule(mod).find((s) => s.name === name);
  if (!sym) return undefined;
  const t = checker.getTypeOfSymbol(sym);
  return t.isStringLiteral() ? t.value : undefined;
}

// nameOf gives a named type its name, or undefined for anonymous types.
function nameOf(type) {
  if (names.has(type)) return names.get(type);
  const sym = type.aliasSymbol ?? type.symbol;
  if (!sym || sym.name.startsWith('__')) return undefined;
  const decl = sym.declarations?.[0];
  // TypeScript's own library types (Record) are structure, not names.
  if (!decl || !path.resolve(decl.getSourceFile().fileName).startsWith(esm + path.sep)) return undefined;
  const name = `${tag(decl.getSourceFile())}.${sym.name}`;
  // Two types under one name (a generic instantiated twice): number them.
  let unique = name;
  for (let i = 2; [...names.values()].includes(unique); i++) unique = `${name}~${i}`;
  names.set(type, unique);
  return unique;
}

function literalValue(t) {
  if (t.isStringLiteral() || t.isNumberLiteral()) return t.value;
  return undefined;
}

// convert returns the notation of a type; named object and enum types go
// to `types` once and are referred to by name.
function convert(type) {
  const f = type.flags;
  if (f & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return 'any';
  if (f & ts.TypeFlags.StringLike && !(f & (ts.TypeFlags.StringLiteral))) return 'string';
  if (f & ts.TypeFlags.NumberLike && !(f & (ts.TypeFlags.NumberLiteral | ts.TypeFlags.EnumLiteral))) return 'number';
  if (f & ts.TypeFlags.BooleanLike) return 'boolean';
  if (f & ts.TypeFlags.Null) return 'null';
  if (type.isUnion()) {
    const members = type.types.filter((m) => !(m.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)));
    const lits = members.map(literalValue);
    let out;
    if (lits.every((v) => v !== undefined)) {
      out = { enum: [...lits].sort(cmp) };
    } else {
      // boolean is true|false inside a union: fold it back.
      const conv = [];
      for (const m of members) {
        const c = convert(m);
        if (!conv.some((x) => JSON.stringify(x) === JSON.stringify(c))) conv.push(c);
      }
      out = conv.length === 1 ? conv[0] : { anyOf: conv.sort((a, b) => cmp(JSON.stringify(a), JSON.stringify(b))) };
    }
    const named = type.aliasSymbol || (type.symbol && type.symbol.flags & ts.SymbolFlags.Enum);
    const name = named && out.enum ? nameOf(type) : undefined;
    if (name) {
      types[name] = out;
      return { ref: name };
    }
    return out;
  }
  const lit = literalValue(type);
  if (lit !== undefined) return { enum: [lit] };
  if (f & ts.TypeFlags.Object || f & ts.TypeFlags.Intersection) {
    if (checker.isArrayType(type)) return { array: convert(checker.getTypeArguments(type)[0]) };
    if (checker.isTupleType(type)) {
      const els = checker.getTypeArguments(type);
      return { array: els.length === 1 ? convert(els[0]) : { anyOf: els.map(convert) } };
    }
    const name = nameOf(type);
    if (name && types[name] !== undefined) return { ref: name };
    if (name) types[name] = null; // in progress: recursive references resolve by name
    const def = objectDef(type);
    if (name) {
      types[name] = def;
      return { ref: name };
    }
    return def;
  }
  throw new Error(`unsupported type ${checker.typeToString(type)} (flags ${f})`);
}

function objectDef(type) {
  const props = {};
  for (const p of [...checker.getPropertiesOfType(type)].sort((a, b) => cmp(a.name, b.name))) {
    const t = propertyType(p);
    if (t.getCallSignatures().length > 0) continue; // methods are not data
    props[p.name] = { optional: (p.flags & ts.SymbolFlags.Optional) !== 0, type: convert(t) };
  }
  const def = { object: props };
  const idx = checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
  if (idx) def.additional = convert(idx.type);
  return def;
}

// propertyType is the type a property is declared with: GraphDrawStyle,
// where the type of an optional property symbol is GraphDrawStyle |
// undefined, a new union that has lost the enum's name. A property typed
// with a type parameter (the veneer's Panel<TOptions>) takes the
// instantiated type instead.
function propertyType(p) {
  // A property of a mapped type (Omit<>) has no value declaration; its
  // declarations are the original property's.
  const decl = p.valueDeclaration ?? p.declarations?.[0];
  if (decl && decl.type) {
    const t = checker.getTypeAtLocation(decl.type);
    const generic = (x) => (x.flags & ts.TypeFlags.TypeParameter) !== 0 ||
      ((x.flags & (ts.TypeFlags.Union | ts.TypeFlags.Intersection)) !== 0 && x.types.some(generic));
    if (!generic(t)) return t;
  }
  return checker.getTypeOfSymbol(p);
}

function cmp(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort(cmp).map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

const roots = {
  dashboard: convert(exportedType(index, 'Dashboard')),
  // Panel targets: every query extends DataQuery; the datasource's own
  // query model (Prometheus's expr, format, ...) is not in this package.
  target: convert(exportedType(index, 'DataQuery')),
};
const panels = {};
for (const [dir, file] of Object.entries(panelFiles)) {
  const options = exportedType(file, 'Options');
  const fieldConfig = exportedType(file, 'FieldConfig');
  panels[dir] = {
    pluginVersion: exportedConst(file, 'pluginVersion') ?? '',
    options: options ? convert(options) : { object: {} },
    fieldConfig: fieldConfig ? convert(fieldConfig) : { object: {} },
  };
}

process.stdout.write(JSON.stringify(sortKeys({
  package: pkg.name,
  version: pkg.version,
  license: pkg.license,
  extractor: `tools/grafanaschema/extract.mjs, typescript ${ts.version}`,
  roots,
  panels,
  types,
}), null, 1) + '\n');
