//! Typed models: the code generated for every demo catalog version, for schemas covering
//! each construct of the three formats and for the schemas of the Avro, JSON Schema and
//! Protobuf compatibility test tables (read from their sources) compiles cleanly under tsc --strict, javac -Xlint:all
//! -Werror, mypy --strict and rustc with warnings denied, and reads each example and writes
//! it back unchanged in Python, Java and Rust (TypeScript checks each example as a typed
//! literal). The HTTP route, the CLI and the version page hand the code out.

use crate::common::*;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use apache_avro::Schema;
use herald::codegen::model::Module;
use herald::codegen::{self, names, Lang};
use herald::formats::{self, Dependency};
use herald::model::SchemaType;
use serde_json::Value;

/// A model with the decoded examples it must read, and what it must write back for each.
struct Case {
    module: Module,
    examples: Vec<(Value, Value)>,
}

/// An example file's entry: the data itself, or `{"__input": .., "__output": ..}` where
/// writing back normalises (a 64-bit Protobuf integer read from text is written as a number,
/// a timestamp read into a natural type is written as its canonical text).
fn example_pair(entry: Value) -> (Value, Value) {
    match (entry.get("__input"), entry.get("__output")) {
        (Some(i), Some(o)) => (i.clone(), o.clone()),
        _ => (entry.clone(), entry),
    }
}

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/codegen-schemas")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(schemas_dir().join(name)).unwrap()
}

/// Avro's JSON encoding with union branches unwrapped (`{"string": "x"}` → `"x"`): the data
/// as a decoder hands it over, which the models describe.
fn avro_decoded(
    schema: &Schema,
    value: &Value,
    names: &HashMap<String, Schema>,
    ns: Option<&str>,
) -> Value {
    match (schema, value) {
        (Schema::Ref { name }, _) => {
            let full = name.fullname(ns.map(str::to_string));
            match names.get(&full).or_else(|| names.get(&name.name)) {
                Some(s) => avro_decoded(s, value, names, ns),
                None => value.clone(),
            }
        }
        (Schema::Union(u), Value::Object(map)) if map.len() == 1 => {
            let (key, inner) = map.iter().next().unwrap();
            let branch = u.variants().iter().find(|b| branch_key(b, ns) == *key);
            match branch {
                Some(b) => avro_decoded(b, inner, names, ns),
                None => {
                    let record = u.variants().iter().find(|b| {
                        matches!(b, Schema::Record(_) | Schema::Map(_) | Schema::Ref { .. })
                    });
                    record.map_or(value.clone(), |b| avro_decoded(b, value, names, ns))
                }
            }
        }
        (Schema::Union(u), v) => u
            .variants()
            .iter()
            .find(|b| !matches!(b, Schema::Null))
            .map_or(v.clone(), |b| match v {
                Value::Null => Value::Null,
                _ => avro_decoded(b, v, names, ns),
            }),
        (Schema::Record(r), Value::Object(map)) => {
            let inner_ns = r.name.namespace.clone().or(ns.map(str::to_string));
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let field = r.fields.iter().find(|f| f.name == *k);
                out.insert(
                    k.clone(),
                    field.map_or(v.clone(), |f| {
                        avro_decoded(&f.schema, v, names, inner_ns.as_deref())
                    }),
                );
            }
            Value::Object(out)
        }
        (Schema::Array(a), Value::Array(items)) => Value::Array(
            items
                .iter()
                .map(|i| avro_decoded(&a.items, i, names, ns))
                .collect(),
        ),
        (Schema::Map(m), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), avro_decoded(&m.types, v, names, ns)))
                .collect(),
        ),
        _ => value.clone(),
    }
}

fn branch_key(schema: &Schema, ns: Option<&str>) -> String {
    match schema {
        Schema::Record(r) => r.name.fullname(ns.map(str::to_string)),
        Schema::Enum(e) => e.name.fullname(ns.map(str::to_string)),
        Schema::Fixed(f) => f.name.fullname(ns.map(str::to_string)),
        Schema::Ref { name } => name.fullname(ns.map(str::to_string)),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| {
                v.as_str()
                    .map(str::to_string)
                    .or_else(|| v["type"].as_str().map(str::to_string))
            })
            .unwrap_or_default(),
    }
}

fn avro_names(schema: &Schema, ns: Option<&str>, out: &mut HashMap<String, Schema>) {
    match schema {
        Schema::Record(r) => {
            let full = r.name.fullname(ns.map(str::to_string));
            if out.insert(full, schema.clone()).is_some() {
                return;
            }
            let inner = r.name.namespace.clone().or(ns.map(str::to_string));
            for f in &r.fields {
                avro_names(&f.schema, inner.as_deref(), out);
            }
        }
        Schema::Union(u) => u.variants().iter().for_each(|v| avro_names(v, ns, out)),
        Schema::Array(a) => avro_names(&a.items, ns, out),
        Schema::Map(m) => avro_names(&m.types, ns, out),
        _ => {}
    }
}

fn decoded(parsed: &formats::Parsed, example: &Value) -> Value {
    match parsed.as_any().downcast_ref::<formats::avro::AvroSchema>() {
        Some(avro) => {
            let mut names = HashMap::new();
            avro_names(&avro.schema, None, &mut names);
            avro_decoded(&avro.schema, example, &names, None)
        }
        None => example.clone(),
    }
}

/// Every version the demo catalog declares, with the examples declared for it.
fn demo_cases() -> Vec<Case> {
    let bundle = herald::catalog::bundle::read_folder(&demo_dir()).unwrap();
    let versions = codegen::catalog::versions(&bundle).unwrap();
    assert!(
        versions.len() >= 20,
        "the demo catalog declares {} versions",
        versions.len()
    );
    let mut formats_seen = std::collections::BTreeSet::new();
    let cases: Vec<Case> = versions
        .iter()
        .map(|v| {
            formats_seen.insert(v.parsed.schema_type().as_str());
            let examples = v
                .event
                .examples
                .iter()
                .filter(|e| e.version == v.version.version)
                .map(|e| {
                    assert!(formats::validate_payload(v.parsed.as_ref(), &e.payload).is_empty());
                    let data = decoded(v.parsed.as_ref(), &e.payload);
                    (data.clone(), data)
                })
                .collect();
            Case {
                module: codegen::model_of(v.parsed.as_ref(), &v.label, "the demo catalog").unwrap(),
                examples,
            }
        })
        .collect();
    assert_eq!(formats_seen.len(), 3, "{formats_seen:?}");
    assert!(cases.iter().filter(|c| !c.examples.is_empty()).count() >= 15);
    cases
}

/// The construct schemas, each with a referenced schema and examples.
fn construct_cases() -> Vec<Case> {
    let specs = [
        (
            SchemaType::Avro,
            "constructs.avsc",
            "avro",
            "test.common.Money",
            "money.avsc",
        ),
        (
            SchemaType::Json,
            "constructs.json",
            "json",
            "money.json",
            "money.schema.json",
        ),
        (
            SchemaType::Protobuf,
            "constructs.proto",
            "protobuf",
            "common/money.proto",
            "money.proto",
        ),
    ];
    specs
        .iter()
        .map(|(ty, file, tag, dep_name, dep_file)| {
            let deps: Vec<Dependency> = if dep_name.is_empty() {
                Vec::new()
            } else {
                vec![Dependency {
                    name: dep_name.to_string(),
                    schema_type: *ty,
                    schema: read(dep_file),
                }]
            };
            let parsed = formats::parse(*ty, &read(file), &deps, false).unwrap();
            let entries: Vec<Value> =
                serde_json::from_str(&read(&format!("constructs.{tag}.examples.json"))).unwrap();
            let examples: Vec<(Value, Value)> = entries.into_iter().map(example_pair).collect();
            if *ty != SchemaType::Avro {
                // The examples are real data for their schema (Avro's here are already decoded).
                for (e, _) in &examples {
                    let errors = formats::validate_payload(parsed.as_ref(), e);
                    assert!(errors.is_empty(), "{file}: {errors:?} for {e}");
                }
            }
            Case {
                module: codegen::model_of(parsed.as_ref(), &format!("constructs {tag}"), file)
                    .unwrap(),
                examples,
            }
        })
        .collect()
}

/// Every Avro schema of the Avro compatibility test table (its raw string literals that parse),
/// to compile only: they carry no examples.
fn avro_table_cases() -> Vec<Case> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/avro_compat.rs"),
    )
    .unwrap();
    let mut seen = std::collections::HashSet::new();
    let mut cases = Vec::new();
    for piece in source.split("r#\"").skip(1) {
        let Some((text, _)) = piece.split_once("\"#") else {
            continue;
        };
        let Ok(parsed) = formats::parse(SchemaType::Avro, text, &[], false) else {
            continue;
        };
        if !seen.insert(parsed.canonical().to_string()) {
            continue;
        }
        let label = format!("avro table {}", cases.len() + 1);
        cases.push(Case {
            module: codegen::model_of(parsed.as_ref(), &label, "tests/it/avro_compat.rs").unwrap(),
            examples: Vec::new(),
        });
    }
    assert!(
        cases.len() >= 40,
        "only {} schemas read from the Avro table",
        cases.len()
    );
    cases
}

/// The Rust string literal that starts `text` (just after its `"`), unescaped.
fn string_literal(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    loop {
        let c = *chars.get(i)?;
        i += 1;
        match c {
            '"' => return Some(out),
            '\\' => {
                let e = *chars.get(i)?;
                i += 1;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '\\' | '"' | '\'' => out.push(e),
                    // A line continuation drops the next line's leading space.
                    '\n' => {
                        while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                            i += 1;
                        }
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
}

/// Models of the schemas a table test builds, `label` naming them, to compile only.
fn table_cases(
    schema_type: SchemaType,
    texts: Vec<String>,
    tag: &str,
    source: &str,
    at_least: usize,
) -> Vec<Case> {
    let mut seen = std::collections::HashSet::new();
    let mut cases = Vec::new();
    for text in texts {
        let Ok(parsed) = formats::parse(schema_type, &text, &[], false) else {
            continue;
        };
        if !seen.insert(parsed.canonical().to_string()) {
            continue;
        }
        let label = format!("{tag} table {}", cases.len() + 1);
        let Ok(module) = codegen::model_of(parsed.as_ref(), &label, source) else {
            continue;
        };
        cases.push(Case {
            module,
            examples: Vec::new(),
        });
    }
    assert!(
        cases.len() >= at_least,
        "only {} schemas read from {source}",
        cases.len()
    );
    cases
}

/// Every JSON Schema of the JSON Schema compatibility test table written as a literal
/// (`json!({...})`, wrapped as the table's `object`/`closed` helpers wrap it), to compile only.
fn json_table_cases() -> Vec<Case> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/json_compat.rs"),
    )
    .unwrap();
    let mut texts = Vec::new();
    for (at, _) in source.match_indices("json!(") {
        let body = &source[at + "json!(".len()..];
        // The macro's argument: up to the parenthesis that closes it, outside strings.
        let (mut depth, mut in_string, mut escaped, mut end) = (1, false, false, None);
        for (i, c) in body.char_indices() {
            match (in_string, escaped, c) {
                (true, true, _) => escaped = false,
                (true, false, '\\') => escaped = true,
                (true, false, '"') => in_string = false,
                (false, _, '"') => in_string = true,
                (false, _, '(') => depth += 1,
                (false, _, ')') => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else { continue };
        // Literals and the table's own schema variables; other bodies are skipped.
        let Ok(value) = serde_json::from_str::<Value>(&as_json(&body[..end])) else {
            continue;
        };
        let before = source[..at].trim_end();
        let value = if before.ends_with("closed(") {
            serde_json::json!({"type": "object", "properties": value, "additionalProperties": false})
        } else if before.ends_with("object(") {
            serde_json::json!({"type": "object", "properties": value})
        } else {
            value
        };
        texts.push(value.to_string());
    }
    table_cases(
        SchemaType::Json,
        texts,
        "json",
        "tests/it/json_compat.rs",
        100,
    )
}

/// A `json!` body as JSON text: the table's variables `s`, `int` and `num` (maybe `.clone()`d)
/// replaced by the schemas they hold, trailing commas dropped. Other names stay, and fail.
fn as_json(body: &str) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::new();
    let (mut i, mut in_string) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(&e) = chars.get(i + 1) {
                    out.push(e);
                    i += 1;
                }
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let rest: String = chars[i..].iter().collect();
            if rest.starts_with(".clone()") {
                i += ".clone()".len();
            }
            out.push_str(match word.as_str() {
                "s" => r#"{"type": "string"}"#,
                "int" => r#"{"type": "integer"}"#,
                "num" => r#"{"type": "number"}"#,
                other => other,
            });
            continue;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                i += 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// Every Protobuf schema of the Protobuf compatibility test table written with its `p3`,
/// `p2` and `m` helpers and a literal body, rebuilt the way they build it, to compile only.
fn protobuf_table_cases() -> Vec<Case> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/protobuf_compat.rs"),
    )
    .unwrap();
    let mut texts = Vec::new();
    for helper in ["p3(\"", "p2(\"", "m(\""] {
        for (at, _) in source.match_indices(helper) {
            // `p3("` inside a longer name (`xp3(`) is another function.
            if source[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue;
            }
            let Some(body) = string_literal(&source[at + helper.len()..]) else {
                continue;
            };
            texts.push(match helper {
                "p3(\"" => format!("syntax = \"proto3\";\npackage t;\n{body}"),
                "p2(\"" => format!("syntax = \"proto2\";\npackage t;\n{body}"),
                _ => format!("syntax = \"proto3\";\npackage t;\nmessage M {{ {body} }}"),
            });
        }
    }
    table_cases(
        SchemaType::Protobuf,
        texts,
        "protobuf",
        "tests/it/protobuf_compat.rs",
        60,
    )
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    assert!(
        !stderr.contains("warning") && !stdout.contains("warning:"),
        "{what} warned:\n{stdout}\n{stderr}"
    );
    stdout
}

/// The compilers, installed by the project's own script into its cache.
fn tools() -> PathBuf {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/codegen-tools");
    let out = run(Command::new("bash").arg(script), "scripts/codegen-tools");
    PathBuf::from(out.lines().last().unwrap().trim())
}

fn write(dir: &Path, file: &codegen::Generated) {
    let path = dir.join(&file.path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, &file.text).unwrap();
}

/// Numbers compare by value (`2` and `2.0` are the same JSON number).
fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_i64() && y.is_i64() => {
            x.as_i64() == y.as_i64()
        }
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .zip(y.as_f64())
            .is_some_and(|(x, y)| (x - y).abs() <= f64::EPSILON * x.abs().max(1.0)),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

fn check_round_trips(lang: &str, cases: &[Case], output: &str) {
    let expected: Vec<&Value> = cases
        .iter()
        .flat_map(|c| c.examples.iter().map(|(_, o)| o))
        .collect();
    let lines: Vec<&str> = output.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        expected.len(),
        "{lang}: one line per example:\n{output}"
    );
    for (line, want) in lines.iter().zip(expected) {
        let got: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{lang}: {e}: {line}"));
        assert!(
            same_json(&got, want),
            "{lang} round trip changed the data:\n got  {got}\n want {want}"
        );
    }
}

fn typescript(cases: &[Case], dir: &Path, tools: &Path) {
    let mut check = String::new();
    let mut files = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let file = codegen::generate(Lang::TypeScript, &case.module);
        write(dir, &file);
        files.push(dir.join(&file.path));
        let stem = file.path.trim_end_matches(".ts");
        check.push_str(&format!("import type * as m{i} from \"./{stem}\";\n"));
        for (j, (example, _)) in case.examples.iter().enumerate() {
            check.push_str(&format!(
                "export const c{i}_{j}: m{i}.{} = {example};\n",
                case.module.types[case.module.root].name
            ));
        }
    }
    std::fs::write(dir.join("check.ts"), check).unwrap();
    files.push(dir.join("check.ts"));
    run(
        Command::new(tools.join("node_modules/.bin/tsc"))
            .args([
                "--strict", "--noEmit", "--target", "es2020", "--module", "esnext",
            ])
            .args(["--moduleResolution", "bundler", "--pretty", "false"])
            .args(&files),
        "tsc --strict",
    );
}

fn python(cases: &[Case], dir: &Path, tools: &Path) -> String {
    let mut script = String::from("import json\n\n");
    let mut calls = String::new();
    for case in cases {
        let file = codegen::generate(Lang::Python, &case.module);
        write(dir, &file);
        let module = file.path.trim_end_matches(".py").to_string();
        script.push_str(&format!("import {module}\n"));
        for (example, _) in &case.examples {
            calls.push_str(&format!(
                "print(json.dumps({module}.{}.from_dict(json.loads({})).to_dict()))\n",
                case.module.types[case.module.root].name,
                names::quoted(&example.to_string())
            ));
        }
    }
    script.push_str("\n\n");
    script.push_str(&calls);
    std::fs::write(dir.join("roundtrip.py"), script).unwrap();
    let python = tools.join("venv/bin/python");
    let sources: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py"))
        .collect();
    run(
        Command::new(&python)
            .args(["-m", "py_compile"])
            .args(&sources),
        "py_compile",
    );
    run(
        Command::new(tools.join("venv/bin/mypy"))
            .args(["--strict", "--no-incremental", "--cache-dir", "/dev/null"])
            .args(&sources)
            .current_dir(dir),
        "mypy --strict",
    );
    run(
        Command::new(&python).arg("roundtrip.py").current_dir(dir),
        "python round trip",
    )
}

fn java(cases: &[Case], dir: &Path) -> String {
    let mut main = String::from(
        "public final class RoundTrip {\n    public static void main(String[] args) {\n",
    );
    let mut files = Vec::new();
    for case in cases {
        let file = codegen::generate(Lang::Java, &case.module);
        write(dir, &file);
        files.push(dir.join(&file.path));
        let root = codegen::java::root_class(&case.module);
        let holder = root.rsplit_once('.').unwrap().0;
        for (example, _) in &case.examples {
            main.push_str(&format!(
                "        System.out.println({holder}.Json.write({root}.fromJson({holder}.Json.parse({})).toJson()));\n",
                names::quoted(&example.to_string())
            ));
        }
    }
    main.push_str("    }\n}\n");
    std::fs::write(dir.join("RoundTrip.java"), main).unwrap();
    files.push(dir.join("RoundTrip.java"));
    let classes = dir.join("classes");
    run(
        Command::new("javac")
            .args(["-Xlint:all", "-Werror", "-encoding", "UTF-8", "-d"])
            .arg(&classes)
            .args(&files),
        "javac",
    );
    run(
        Command::new("java")
            .arg("-cp")
            .arg(&classes)
            .arg("RoundTrip"),
        "java round trip",
    )
}

fn rust(cases: &[Case], dir: &Path) -> String {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"models_check\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nserde_json = \"1\"\nchrono = { version = \"0.4\", default-features = false, features = [\"std\"] }\nuuid = \"1\"\nrust_decimal = { version = \"1\", default-features = false, features = [\"std\"] }\n\n[workspace]\n",
    )
    .unwrap();
    // Herald's lock pins the same serde versions, so the warm target dir is reused offline;
    // scripts/codegen-tools fetched the date, UUID and decimal crates the models name.
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"),
        dir.join("Cargo.lock"),
    )
    .unwrap();
    let mut lib = String::from("#![deny(warnings)]\n");
    let mut main = String::from("#![deny(warnings)]\n\nfn main() {\n");
    for case in cases {
        let file = codegen::generate(Lang::Rust, &case.module);
        write(&src, &file);
        let module = file.path.trim_end_matches(".rs");
        lib.push_str(&format!("pub mod {module};\n"));
        let root = codegen::rust::root_path(&case.module);
        for (example, _) in &case.examples {
            main.push_str(&format!(
                "    let value: models_check::{module}::{root} = serde_json::from_str(r###\"{example}\"###).expect(\"{module}\");\n    println!(\"{{}}\", serde_json::to_string(&value).unwrap());\n"
            ));
        }
    }
    main.push_str("}\n");
    std::fs::write(src.join("lib.rs"), lib).unwrap();
    std::fs::write(src.join("main.rs"), main).unwrap();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("codegen-models-target");
    run(
        Command::new(env!("CARGO"))
            .args(["run", "--offline", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", target)
            .env_remove("RUSTFLAGS")
            .current_dir(dir),
        "cargo run of the generated crate",
    )
}

#[test]
fn generated_models_compile_and_round_trip_in_every_language() {
    if std::env::var_os("HERALD_TEST_POSTGRES").is_some() {
        // No database involved: the SQLite run already covered it.
        return;
    }
    let tools = tools();
    let mut cases = demo_cases();
    cases.extend(construct_cases());
    cases.extend(avro_table_cases());
    cases.extend(json_table_cases());
    cases.extend(protobuf_table_cases());
    let dir = tempfile::tempdir().unwrap();
    let sub = |name: &str| {
        let d = dir.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    typescript(&cases, &sub("ts"), &tools);
    let out = python(&cases, &sub("py"), &tools);
    check_round_trips("python", &cases, &out);
    let out = java(&cases, &sub("java"));
    check_round_trips("java", &cases, &out);
    let out = rust(&cases, &sub("rust"));
    check_round_trips("rust", &cases, &out);
}

async fn fetch(s: &TestServer, path: &str) -> (u16, String, String, String) {
    let resp = s.client.get(s.url(path)).send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (resp.status().as_u16(), ct, cd, resp.text().await.unwrap())
}

#[tokio::test]
async fn the_route_hands_out_each_language_with_a_file_name_and_the_same_bytes_each_time() {
    let s = demo().await;
    let base = "/herald/v1/subjects/orders.order.placed-value/versions/3/code";
    let expected = [
        (
            "typescript",
            "OrdersOrderPlacedValueV3.ts",
            "export interface OrderPlaced {",
        ),
        (
            "python",
            "orders_order_placed_value_v3.py",
            "class OrderPlaced:",
        ),
        (
            "java",
            "OrdersOrderPlacedValueV3.java",
            "public record OrderPlaced(",
        ),
        (
            "rust",
            "orders_order_placed_value_v3.rs",
            "pub struct OrderPlaced {",
        ),
    ];
    for (lang, file, needle) in expected {
        let (status, ct, cd, body) = fetch(&s, &format!("{base}/{lang}")).await;
        assert_eq!(status, 200, "{lang}: {body}");
        assert_eq!(ct, "text/plain; charset=utf-8");
        assert_eq!(cd, format!("attachment; filename=\"{file}\""));
        assert_has(
            &body,
            &[needle, "orders.order.placed-value version 3", "coupon"],
        );
        let (_, _, _, again) = fetch(&s, &format!("{base}/{lang}")).await;
        assert_eq!(body, again, "{lang}: output is deterministic");
    }
    // `latest` names the same version.
    let (_, _, cd, _) = fetch(
        &s,
        "/herald/v1/subjects/orders.order.placed-value/versions/latest/code/rust",
    )
    .await;
    assert_eq!(
        cd,
        "attachment; filename=\"orders_order_placed_value_v3.rs\""
    );
    // A Protobuf and a JSON Schema version as well.
    let (status, _, _, body) = fetch(
        &s,
        "/herald/v1/subjects/shipping.shipment.dispatched-value/versions/latest/code/java",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_has(
        &body,
        &[
            "package shop.shipping;",
            "@WireName(\"trackingUrl\") String trackingUrl",
        ],
    );
    let (status, _, _, body) = fetch(
        &s,
        "/herald/v1/subjects/users.user.created-value/versions/1/code/python",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_has(
        &body,
        &["class UserCreated:", "metadata={\"wire\": \"eventId\"}"],
    );

    let (status, body) = s.get(&format!("{base}/cobol")).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("cobol"),
        "{body}"
    );
    let (status, body) = s
        .get("/herald/v1/subjects/orders.order.placed-value/versions/9/code/rust")
        .await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40402)),
        "{body}"
    );
    let (status, body) = s.get("/herald/v1/subjects/nope/versions/1/code/rust").await;
    assert_eq!(
        (status, body["error_code"].as_i64()),
        (404, Some(40401)),
        "{body}"
    );
}

#[tokio::test]
async fn the_route_needs_a_reader_token_when_auth_is_on() {
    let s = TestServer::start_with(|c| c.auth = true).await;
    let (status, _) = s.get("/herald/v1/subjects/x/versions/1/code/rust").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_version_page_links_each_language() {
    let s = demo().await;
    let body = html(&s, "/ui/subjects/orders.order.placed-value/versions/2").await;
    let code = section(&body, "code-h");
    for (lang, name) in [
        ("typescript", "TypeScript"),
        ("python", "Python"),
        ("java", "Java"),
        ("rust", "Rust"),
    ] {
        let href = format!("/herald/v1/subjects/orders.order.placed-value/versions/2/code/{lang}");
        assert_has(code, &[&format!("href=\"{href}\" download>{name}</a>")]);
        let (status, _, cd, _) = fetch(&s, &href).await;
        assert_eq!(status, 200, "{href}");
        assert!(cd.starts_with("attachment; filename="), "{href}: {cd}");
    }
    assert!(
        !code.contains("<script") && !code.contains("style="),
        "{code}"
    );
}

#[tokio::test]
async fn the_event_page_links_the_latest_version_s_code_and_each_consumer_s() {
    let s = demo().await;
    let body = html(&s, "/ui/events/orders.order.placed").await;
    let code = section(&body, "code-h");
    assert_has(
        code,
        &[
            "value v3:",
            "href=\"/herald/v1/subjects/orders.order.placed-value/versions/3/code/typescript\" download>TypeScript</a>",
            "href=\"/herald/v1/subjects/orders.order.placed-value/versions/3/code/rust\" download>Rust</a>",
        ],
    );
    let (status, _, _, text) = fetch(
        &s,
        "/herald/v1/subjects/orders.order.placed-value/versions/3/code/python",
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("class OrderPlaced:"), "{text}");
    // Each consumer's declared range picks the highest registered version it takes.
    assert_has(
        code,
        &[
            "inventory-service reads 1.0.0, so v1 (1.0.0): <a href=\"/herald/v1/subjects/orders.order.placed-value/versions/1/code/typescript\" download>TypeScript</a>",
            "href=\"/herald/v1/subjects/orders.order.placed-value/versions/1/code/java\" download>Java</a>",
            "payment-service reads ^1.1, so v3 (1.2.0):",
            "notification-service reads ^1.0, so v3 (1.2.0):",
        ],
    );
    let (status, _, _, text) = fetch(
        &s,
        "/herald/v1/subjects/orders.order.placed-value/versions/1/code/java",
    )
    .await;
    assert_eq!(status, 200);
    assert!(text.contains("public record OrderPlaced("), "{text}");
}

#[tokio::test]
async fn the_cli_writes_the_files_the_route_serves_and_a_catalog_folder_s_versions() {
    let s = demo().await;
    let out = tempfile::tempdir().unwrap();
    let herald = env!("CARGO_BIN_EXE_herald");
    let status = tokio::process::Command::new(herald)
        .args([
            "codegen",
            "--lang",
            "java",
            "--subject",
            "shipping.shipment.dispatched-value",
            "--version",
            "2",
        ])
        .arg("--out")
        .arg(out.path())
        .args(["--registry", &s.base])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(
        out.path()
            .join("shop/shipping/ShippingShipmentDispatchedValueV2.java"),
    )
    .unwrap();
    let (_, _, _, served) = fetch(
        &s,
        "/herald/v1/subjects/shipping.shipment.dispatched-value/versions/2/code/java",
    )
    .await;
    let first_difference = written.lines().zip(served.lines()).find(|(a, b)| a != b);
    assert_eq!(first_difference, None, "the CLI and the route differ");
    assert_eq!(written, served);

    let status = tokio::process::Command::new(herald)
        .args(["codegen", "--lang", "typescript", "--catalog"])
        .arg(demo_dir())
        .arg("--out")
        .arg(out.path())
        .status()
        .await
        .unwrap();
    assert!(status.success());
    for file in [
        "OrdersOrderPlacedV1_0_0.ts",
        "OrdersOrderPlacedV1_2_0.ts",
        "InventoryStockReservedV1_1_0.ts",
        "UsersUserCreatedV1_2_0.ts",
    ] {
        let text = std::fs::read_to_string(out.path().join(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(text.contains("export interface"), "{file}");
    }

    let status = tokio::process::Command::new(herald)
        .args([
            "codegen",
            "--lang",
            "rust",
            "--subject",
            "nope",
            "--registry",
            &s.base,
        ])
        .arg("--out")
        .arg(out.path())
        .status()
        .await
        .unwrap();
    assert_eq!(status.code(), Some(2));

    let help = tokio::process::Command::new(herald)
        .args(["codegen", "--help"])
        .output()
        .await
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert_has(
        &help,
        &[
            "Examples:",
            "--catalog",
            "--subject",
            "typescript, python, java, rust",
        ],
    );
}

/// The version page as a browser builds it (the page runs under Herald's strict
/// Content-Security-Policy, so the section must need no script): Chromium's DOM has the section
/// and its four links. Chromium comes with scripts/test (and tests/web_browser.rs installs it).
#[tokio::test]
async fn a_browser_shows_the_code_section_of_the_version_page() {
    const CHROMIUM: &str = "/usr/bin/chromium";
    if !Path::new(CHROMIUM).exists() {
        eprintln!("skipped: no {CHROMIUM}");
        return;
    }
    let s = demo().await;
    let profile = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(s.url("/ui/subjects/orders.order.placed-value/versions/3"))
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let code = section(&dom, "code-h");
    assert_has(
        code,
        &[
            ">Code</h2>",
            ">TypeScript</a>",
            ">Python</a>",
            ">Java</a>",
            ">Rust</a>",
        ],
    );
    assert_eq!(
        code.matches("download=\"\"").count() + code.matches(" download>").count(),
        4,
        "{code}"
    );
}
