//! Differential tests: each case is rendered by this engine, with the functions Helm gives
//! templates, and by the real Helm 3 (installed by `scripts/setup --for-tests`) as a template
//! file of one chart, and must come out the same byte for byte; each failing case must fail
//! in both with the same message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use orbital_template::{Map, Templates, Value, helm as helm_functions, helm_message, read_yaml};

const CHART: &str = "judge";

const VALUES: &str = r##"
name: web
replicas: 3
big: 1000000
ratio: 0.5
enabled: true
disabled: false
empty: ""
list: [a, b, c]
numbers: [1, 2, 3]
map: {b: 2, a: 1, c: 3}
nested: {inner: {deep: value}}
mixed: [1, "two", true, {k: v}]
strings:
  - ""
  - "yes"
  - "on"
  - "null"
  - "~"
  - "123"
  - "0x1F"
  - "1e3"
  - "1_000"
  - "12:30"
  - "2024-01-02"
  - "2024-02-30"
  - "- dash"
  - "-"
  - ": colon"
  - "a: b"
  - "a #b"
  - "a#b"
  - "#hash"
  - " leading"
  - "trailing "
  - "it's"
  - "say \"hi\""
  - "tab\there"
  - "line1\nline2"
  - "line1\nline2\n"
  - "line1\n\n"
  - "\nleading newline"
  - "[x]"
  - "{x}"
  - "*star"
  - "&amp"
  - "!bang"
  - "%pct"
  - "@at"
  - "`tick"
  - "|pipe"
  - ">gt"
  - "?q"
  - "? q"
  - "a,b"
  - "é unicode"
  - "long text long text long text long text long text long text long text long text long text long text long text long text end"
  - ".5"
  - ".x"
  - "+1"
  - "--- x"
  - "<<"
  - "true"
  - "Y"
  - "emoji 😀"
  - "a  b"
  - "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx tail"
floats: [0.5, 1e-7, 1e21, 3.0, 1000000, -2]
empties: {list: [], map: {}}
deep: {a: [{b: 1, c: [1, 2]}, [3, 4]], "key with space": x, "10": ten, "9": nine, "a10": x, "a9": y, "_u": z, "B": upper}
quirks:
  onoff: on
  octal: 012
  hexa: 0x1F
  underscored: 1_000
  date: 2024-01-02
  stamp: 2024-01-02T03:04:05Z
  nulls: [~, null, ]
  plus: +12
  big: 12345678901234567890
  float: 1.5e3
  dot: .5
  quoted: "012"
  single: 'it''s'
  y: yes
  10: ten
  true: key
  literal: |
    line one
    line two
  folded: >-
    folded
    text
  kept: |+
    kept

  anchored: &base {p: 1, q: 2}
  merged:
    <<: *base
    q: 3
  merged-list:
    <<: [{m: 1}, {m: 2, n: 2}]
  alias: *base
"##;

/// Templates, each a case: Go's text/template first, then Sprig.
const CASES: &[&str] = &[
    "{{ .Values.name }}",
    "{{ .Values.replicas }} {{ .Values.big }} {{ .Values.ratio }}",
    "[{{ .Values.missing }}]",
    "{{ .Values.list }} {{ .Values.map }} {{ .Values.nested }} {{ .Values.mixed }}",
    "{{ .Values.nested.inner.deep }}",
    "{{ if .Values.enabled }}yes{{ else }}no{{ end }}",
    "{{ if .Values.disabled }}yes{{ else if .Values.empty }}e{{ else }}no{{ end }}",
    "{{ range .Values.list }}[{{ . }}]{{ end }}",
    "{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }},{{ end }}",
    "{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }};{{ end }}",
    "{{ range .Values.missing }}x{{ else }}none{{ end }}",
    "{{ with .Values.nested.inner }}{{ .deep }}{{ end }}",
    "{{ with .Values.missing }}x{{ else }}absent{{ end }}",
    "{{- /* a comment */ -}}  trimmed  {{- \" x \" -}}  ",
    "a  {{- 1 }}  {{ 2 -}}  b\n  {{- 3 }}",
    "{{ $x := 5 }}{{ $x }}{{ $x = 6 }}{{ $x }}",
    "{{ len .Values.list }} {{ len .Values.map }} {{ len \"héllo\" }}",
    "{{ index .Values.list 1 }} {{ index .Values.map \"b\" }} {{ index .Values.nested \"inner\" \"deep\" }}",
    // Helm's `slice` is Sprig's, which takes lists only.
    "{{ slice .Values.list 1 }} {{ slice .Values.list 1 2 }}",
    "{{ print 1 2 \"a\" 3 }} {{ println \"x\" 1 }}",
    "{{ printf \"%s-%d-%v-%q-%t\" \"a\" 3 .Values.ratio \"q\" true }}",
    "{{ printf \"%d\" .Values.replicas }}",
    "{{ printf \"%05.1f|%-5s|%5s|%x|%X\" 3.14159 \"ab\" \"cd\" 255 \"hi\" }}",
    "{{ printf \"%v %v\" .Values.list .Values.map }}",
    "{{ printf \"%s\" }} {{ printf \"%s\" \"a\" \"b\" }}",
    "{{ eq .Values.name \"web\" }} {{ ne 1 2 }} {{ eq 1 2 3 1 }} {{ lt 1 2 }} {{ ge \"b\" \"a\" }} {{ le 1.5 2.5 }}",
    "{{ and 1 0 2 }} {{ or 0 \"\" \"x\" }} {{ and 1 2 }} {{ or 0 false }} {{ not .Values.empty }}",
    "{{ .Values.name | printf \"%s!\" }} {{ \"x\" | printf \"%s%s\" \"y\" }}",
    "{{ (index .Values.list 0) }}{{ (.Values.nested).inner.deep }}",
    "{{ define \"judge.helper\" }}H{{ . }}{{ end }}{{ template \"judge.helper\" .Values.name }}",
    "{{ block \"judge.block\" .Values.replicas }}B{{ . }}{{ end }}",
    "{{ range .Values.numbers }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ . }}{{ end }}",
    "{{ range .Values.numbers }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}",
    "{{ html \"<a href='x'>&</a>\" }} {{ js \"it's \\\"q\\\" <x>\" }} {{ urlquery \"a b&c=d/é\" }}",
    "{{ 0x1F }} {{ 1e3 }} {{ 1.0 }} {{ 'a' }} {{ -5 }} {{ 1_000 }}",
    "{{ \"quoted \\\"s\\\" \\t tab\" }} {{ `raw\\n` }}",
    "{{ true }} {{ false }}",
    "{{ range .Values.list }}{{ $.Values.name }}{{ end }}",
    "{{ with $x := .Values.name }}{{ $x }}{{ end }}",
    "{{ if and .Values.enabled (gt (len .Values.list) 2) }}long{{ end }}",
    "{{ printf \"%6.2f|%e|%g\" .Values.ratio 123456.789 1e21 }}",
    "{{ printf \"%c|%q\" 65 65 }}",
    "{{ 3.0 }} {{ 100000.0 }} {{ 1234567.0 }} {{ 0.00001 }} {{ 123456.0 }}",
    "{{ $x := .Values.missing }}[{{ $x.a }}] {{ define \"judge.nil\" }}[{{ .a.b }}]{{ end }}{{ template \"judge.nil\" .Values.missing }} [{{ (first (list)).a }}]",
    "{{ repeat 2.0 \"x\" }} {{ trunc 2.0 \"abc\" }} {{ range (list 1 nil) }}[{{ . }}]{{ end }}",
    "{{ $a := 1 }}{{ if true }}{{ $a = 2 }}{{ $b := 3 }}{{ $b }}{{ end }}{{ $a }}",
    // Sprig.
    "{{ upper \"abc\" }} {{ lower \"ABC\" }} {{ title \"hello world-foo_bar\" }} {{ trim \"  x  \" }} {{ nospace \" a b\\tc \" }}",
    "{{ trimAll \"-\" \"--a-b--\" }} {{ trimPrefix \"ab\" \"abc\" }} {{ trimSuffix \"bc\" \"abc\" }}",
    "{{ contains \"b\" \"abc\" }} {{ hasPrefix \"a\" \"abc\" }} {{ hasSuffix \"x\" \"abc\" }}",
    "{{ replace \"a\" \"o\" \"banana\" }} {{ trunc 3 \"abcdef\" }} {{ trunc -2 \"abcdef\" }} {{ substr 1 3 \"abcdef\" }} {{ repeat 3 \"ab\" }}",
    "{{ indent 2 \"a\\nb\" }}|{{ nindent 4 \"x\" }}",
    "{{ quote \"a\" 1 .Values.ratio .Values.missing }} {{ squote \"a\" .Values.list }} {{ cat \"a\" 1 .Values.missing \"b\" }}",
    "{{ join \",\" .Values.list }} {{ join \"-\" .Values.numbers }} {{ splitList \",\" \"a,b,,c\" }}",
    "{{ b64enc \"hello\" }} {{ sha256sum \"abc\" }}",
    "{{ toString 3 }} {{ toString .Values.ratio }} {{ int \"42\" }} {{ int .Values.ratio }} {{ int64 \"0x1F\" }} {{ float64 \"1.5\" }} {{ atoi \"12\" }}",
    "{{ typeOf .Values.replicas }} {{ typeOf .Values.list }} {{ kindOf .Values.map }} {{ kindIs \"slice\" .Values.list }} {{ typeIs \"string\" .Values.name }} {{ typeOf (add 1 2) }} {{ typeOf .Values.missing }}",
    "{{ toJson .Values.map }} {{ toJson .Values.mixed }} {{ toJson \"<a&b>\" }} {{ toJson .Values.big }}",
    "{{ list 1 \"a\" .Values.ratio }} {{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.list }} {{ initial .Values.list }} {{ reverse .Values.list }}",
    "{{ append .Values.list \"d\" }} {{ prepend .Values.list \"z\" }} {{ has \"b\" .Values.list }} {{ has 1 .Values.numbers }} {{ uniq (list 1 2 1 \"a\" \"a\") }} {{ without .Values.list \"b\" }}",
    "{{ compact (list 0 \"\" \"x\" 1) }} {{ concat .Values.list .Values.numbers }} {{ sortAlpha (list \"b\" \"a\" 3) }} {{ until 3 }}",
    "{{ dict \"a\" 1 \"b\" \"two\" }} {{ dict \"odd\" }} {{ get .Values.map \"a\" }} [{{ get .Values.map \"zz\" }}] {{ hasKey .Values.map \"b\" }}",
    "{{ pick .Values.map \"a\" \"c\" }} {{ omit .Values.map \"a\" }} {{ pluck \"a\" .Values.map (dict \"a\" 9) }} {{ dig \"inner\" \"deep\" \"none\" .Values.nested }} {{ dig \"inner\" \"x\" \"none\" .Values.nested }}",
    "{{ add 1 2 .Values.replicas }} {{ add1 .Values.ratio }} {{ sub 10 3 }} {{ mul 2 3 \"4\" }} {{ div 7 2 }} {{ mod 7 3 }} {{ max 1 5 3 }} {{ min 4 2 }}",
    "{{ default \"d\" .Values.missing }} {{ default \"d\" .Values.name }} {{ default 5 0 }} {{ empty .Values.list }} {{ empty \"\" }} {{ coalesce .Values.missing \"\" \"c\" }}",
    // Helm's own.
    "{{ define \"judge.name\" }}{{ .Values.name }}-x{{ end }}{{ include \"judge.name\" . }} {{ include \"judge.name\" . | upper }}",
    "{{ tpl \"{{ .Values.name }}!\" . }} [{{ tpl \"{{ .missing }}\" . }}] {{ tpl \"{{ define \\\"judge.inner\\\" }}in{{ end }}{{ include \\\"judge.inner\\\" . }}\" . }}",
    "{{ required \"needed\" .Values.name }} {{ lookup \"v1\" \"Secret\" \"ns\" \"name\" }} [{{ getHostByName \"example.com\" }}]",
    "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }} {{ $e := $d }}{{ $_ := set $e \"c\" 3 }}{{ $d }}",
    "{{ $v := deepCopy .Values.map }}{{ $_ := set $v \"z\" 26 }}{{ $v }} {{ .Values.map }}",
    "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ $d }}",
    "{{ $a := dict \"x\" 1 \"e\" \"\" \"f\" false \"n\" (dict \"p\" 1) \"l\" (list 1) }}{{ $b := dict \"x\" 2 \"e\" \"filled\" \"f\" true \"n\" (dict \"p\" 2 \"q\" 3) \"l\" (list 2 3) \"new\" \"v\" }}{{ merge $a $b }} {{ $a }}",
    "{{ $a := dict \"x\" 1 \"e\" \"\" \"n\" (dict \"p\" 1) \"l\" (list 1) \"keep\" \"k\" }}{{ $b := dict \"x\" 2 \"e\" \"filled\" \"n\" (dict \"q\" 3) \"l\" (list 2 3) \"nil\" nil }}{{ mergeOverwrite $a $b }}",
    "{{ merge (dict) (dict \"l\" (list 1) \"m\" (dict \"a\" 1)) }} {{ merge (dict \"l\" (list) \"k\" 1) (dict \"l\" (list 5)) }} {{ merge (dict \"l\" (list 4) \"k\" 1) (dict \"l\" (list 5)) }}",
    "{{ keys (dict \"b\" 1 \"a\" 2) | sortAlpha }} {{ values (dict \"a\" 1) }} {{ merge (dict \"m\" \"s\") (dict \"m\" (dict \"a\" 1)) }} {{ mergeOverwrite (dict \"m\" \"s\") (dict \"m\" (dict \"a\" 1)) }}",
    "{{ $inner := dict \"a\" 1 }}{{ $t := dict \"n\" $inner }}{{ $_ := merge $t (dict \"n\" (dict \"b\" 2)) }}{{ $inner }} {{ .Values.missing | merge (dict \"a\" 1) }}",
    "{{ regexMatch \"^[a-z]+[0-9]$\" \"abc1\" }} {{ regexMatch \"[\" \"x\" }} {{ regexFind \"[0-9]+\" \"ab12cd34\" }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" -1 }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }} {{ regexFindAll \"[0-9]\" \"a1b2c3\" 0 }}",
    "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"$1W\" }} {{ regexReplaceAllLiteral \"a(x*)b\" \"-ab-axxb-\" \"${1}\" }} {{ regexSplit \"z+\" \"pizza\" -1 }} {{ regexSplit \"z+\" \"pizza\" 1 }} {{ regexQuoteMeta \"1.5-2.0?#&~\" }}",
    "{{ b64dec \"aGVsbG8=\" }} {{ sha1sum \"abc\" }} {{ adler32sum \"Wikipedia\" }} {{ abbrev 5 \"hello world\" }} {{ abbrev 3 \"hello\" }} {{ plural \"one\" \"many\" 1 }} {{ plural \"one\" \"many\" 2 }}",
    "{{ toStrings (list 1 \"a\" .Values.ratio) }} {{ split \",\" \"a,b,c\" }} {{ (split \",\" \"a,b\")._1 }}",
    "{{ fromJson \"{\\\"a\\\": [1, 2.5], \\\"b\\\": {\\\"c\\\": null}}\" }} {{ fromJson \"[1]\" }} {{ fromJson \"null\" }} {{ fromJsonArray \"[1, \\\"x\\\"]\" }} {{ fromJsonArray \"{}\" }}",
    "{{ semverCompare \">=1.19-0\" \"v1.32.0\" }} {{ semverCompare \">=1.19\" \"1.19.0-rc.1\" }} {{ semverCompare \">=1.19-0\" \"1.19.0-rc.1\" }} {{ semverCompare \"^1.2.3\" \"1.9.0\" }} {{ semverCompare \"^1.2.3\" \"2.0.0\" }} {{ semverCompare \"^0.2.3\" \"0.2.9\" }} {{ semverCompare \"^0.2.3\" \"0.3.0\" }} {{ semverCompare \"^0.0.3\" \"0.0.3\" }} {{ semverCompare \"~1.2.3\" \"1.2.9\" }} {{ semverCompare \"~1.2.3\" \"1.3.0\" }} {{ semverCompare \"~1\" \"1.9.9\" }} {{ semverCompare \"1.2.x\" \"1.2.7\" }} {{ semverCompare \"1.x\" \"2.0.0\" }} {{ semverCompare \"*\" \"3.4.5\" }} {{ semverCompare \"1.2 - 1.4.5\" \"1.3.0\" }} {{ semverCompare \"1.2 - 1.4.5\" \"1.4.6\" }} {{ semverCompare \">1.2\" \"1.2.9\" }} {{ semverCompare \">1.2\" \"1.3.0\" }} {{ semverCompare \">1\" \"1.9.0\" }} {{ semverCompare \"<=1.2\" \"1.2.9\" }} {{ semverCompare \"<=1.2.0\" \"1.2.1\" }} {{ semverCompare \"!=1.2.3\" \"1.2.3\" }} {{ semverCompare \"!=1.2\" \"1.2.5\" }} {{ semverCompare \"!=1.2.x\" \"1.3.0\" }} {{ semverCompare \">=1.0, <2.0\" \"1.5.0\" }} {{ semverCompare \">=1.0 <2.0\" \"2.1.0\" }} {{ semverCompare \"<1.0 || >=2.0\" \"2.1.0\" }} {{ semverCompare \"=1.2.3\" \"v1.2.3\" }} {{ semverCompare \"1.2.3\" \"1.2.3+build.5\" }} {{ semverCompare \">= 1.2.3-alpha.1\" \"1.2.3-alpha.10\" }} {{ semverCompare \">=1.2.3-beta\" \"1.2.3-alpha\" }} {{ semverCompare \"<1.2.3-beta.2\" \"1.2.3-beta.11\" }} {{ semverCompare \"~0\" \"0.5.0\" }} {{ semverCompare \"^0\" \"0.9.0\" }} {{ semverCompare \">=v1.20.0-0\" \"v1.27.3+k3s1\" }}",
    "[{{ slice (list) }}] {{ mustFirst .Values.list }} {{ mustLast (list 1 2) }} {{ chunk 2 (list 1 2 3 4 5) }} {{ chunk 2 (list) }} {{ untilStep 0 10 3 }} {{ untilStep 10 0 -4 }} {{ until -3 }} {{ tuple 1 \"a\" }}",
    "{{ seq 5 }}|{{ seq -2 }}|{{ seq 2 5 }}|{{ seq 5 2 }}|{{ seq 0 2 10 }}|{{ seq 10 -3 1 }}|{{ seq 1 2 0 }}",
    "{{ ceil 1.2 }} {{ floor .Values.ratio }} {{ round 3.14159 2 }} {{ round 2.5 0 }} {{ round 2.45 1 0.6 }} {{ splitn \",\" 2 \"a,b,c\" }} {{ splitn \",\" 0 \"a,b\" }} {{ splitn \",\" -1 \"a,b,c\" }}",
    "{{ toYaml .Values.strings }}",
    "{{ toYaml .Values.floats }}|{{ toYaml .Values.empties }}|{{ toYaml .Values.deep }}",
    "{{ toYaml .Values }}",
    "{{ toJson .Values.quirks }}",
    "{{ fromYaml \"a: 1\\nb: [x, on]\" }} {{ fromYaml \"- 1\" }} {{ fromYamlArray \"- 1\\n- off\" }} {{ fromYamlArray \"a: 1\" }} {{ fromYaml \"\" }} {{ fromYaml \"x\" }}",
    "{{ toYaml \"hello\" }}|{{ toYaml \"a\\nb\" }}|{{ toYaml .Values.missing }}|{{ toYaml (list) }}",
    "x:{{ toYaml .Values.list | nindent 4 }}|{{ toYaml \"x\\n\\n\" }}|{{ toYaml (list \"x\\n\\n\") }}",
    "{{ toYaml (dict \"k\" (list 1 2) \"m\" (dict \"x\" (list (dict \"y\" 1 \"z\" (list \"w\")))))  }}",
    "{{ ternary \"y\" \"n\" true }} {{ all 1 \"a\" }} {{ any 0 \"\" }} {{ .Values.name | upper | quote }} {{ .Values.list | join \"+\" }} {{ eq (add 1 2) 3 }}",
];

/// Templates that fail, each with how Helm's error ends; the whole error, position and
/// failing node included, must be Helm's.
const FAILING: &[(&str, &str)] = &[
    (
        "{{ upper .Values.replicas }}",
        "wrong type for value; expected string; got float64",
    ),
    (
        "{{ upper .Values.missing }}",
        "wrong type for value; expected string; got interface {}",
    ),
    (
        "{{ .Values.missing | upper }}",
        "invalid value; expected string",
    ),
    (
        "{{ hasKey .Values.missing \"x\" }}",
        "wrong type for value; expected map[string]interface {}; got interface {}",
    ),
    ("{{ upper 3 }}", "expected string; found 3"),
    (
        "{{ repeat .Values.replicas \"x\" }}",
        "wrong type for value; expected int; got float64",
    ),
    (
        "{{ repeat (add 1 2) \"x\" }}",
        "wrong type for value; expected int; got int64",
    ),
    (
        "{{ eq .Values.replicas 3 }}",
        "error calling eq: incompatible types for comparison",
    ),
    (
        "{{ .Values.missing.field }}",
        "nil pointer evaluating interface {}.field",
    ),
    (
        "{{ first \"abc\" }}",
        "error calling first: Cannot find first on type string",
    ),
    (
        "{{ div 1 0 }}",
        "error calling div: runtime error: integer divide by zero",
    ),
    (
        "{{ upper }}",
        "wrong number of args for upper: want 1 got 0",
    ),
    (
        "{{ .Values.name.x }}",
        "can't evaluate field x in type interface {}",
    ),
    ("{{ range 3 }}x{{ end }}", "range can't iterate over 3"),
    (
        "{{ define \"deep\" }}{{ template \"deep\" . }}{{ end }}{{ template \"deep\" . }}",
        "exceeded maximum template depth (100000)",
    ),
    (
        "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}{{ include \"loop\" . }}",
        "rendering template has a nested reference name: loop: unable to execute template",
    ),
    (
        "{{ slice \"abc\" 1 }}",
        "list should be type of slice or array but string",
    ),
    (
        "{{ slice .Values.list 2 9 }}",
        "reflect.Value.Slice: slice index out of bounds",
    ),
    (
        "{{ semverCompare \">=1.2\" \"one\" }}",
        "Invalid Semantic Version",
    ),
    (
        "{{ semverCompare \">>1.2\" \"1.2.0\" }}",
        "improper constraint: >>1.2",
    ),
    (
        "{{ semverCompare \">>1.2\" \"one\" }}",
        "improper constraint: >>1.2",
    ),
    (
        "{{ required \"name is needed\" .Values.missing }}",
        "name is needed",
    ),
    ("{{ fail \"stop here\" }}", "stop here"),
    (
        "{{ include \"nowhere\" . }}",
        "associated with template \"gotpl\"",
    ),
    (
        "{{ tpl \"{{ .Values.missing.x }}\" . }}",
        "nil pointer evaluating interface {}.x",
    ),
    ("{{ if .Values.name }}", "unexpected EOF"),
    ("{{ nope }}", "function \"nope\" not defined"),
    ("{{ end }}", "unexpected {{end}}"),
    ("{{ .Values.name ", "unclosed action"),
    ("{{ /* spaced */ }}", "unexpected \"/\" in command"),
    (
        "{{ template \"nowhere\" . }}",
        "template \"nowhere\" not defined",
    ),
    ("{{ printf 3 }}", "expected string; found 3"),
    ("{{ 1 2 }}", "can't give argument to non-function 1"),
    ("{{ repeat 2.5 \"x\" }}", "expected integer; found 2.5"),
    (
        "{{ range (list nil) }}{{ .a }}{{ end }}",
        "nil pointer evaluating interface {}.a",
    ),
    (
        "{{ .Values.name \"x\" }}",
        "name is not a method but has arguments",
    ),
    (
        "{{ .Values.missing.a \"x\" }}",
        "nil pointer evaluating interface {}.a",
    ),
    (
        "{{ $v := .Values }}{{ $v \"x\" }}",
        "can't give argument to non-function $v",
    ),
    (
        "{{ $x := .Values.list }}{{ $x.a }}",
        "can't evaluate field a in type []interface {}",
    ),
    (
        "{{ (list 1).a }}",
        "can't evaluate field a in type []interface {}",
    ),
    (
        "{{ index .Values.list 5 }}",
        "error calling index: index out of range: 5",
    ),
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Helm 3 as `scripts/setup --for-tests` installs it, else `ORBITAL_HELM`, else `helm` on PATH.
fn helm() -> PathBuf {
    let installed = root().join("scripts/test-tools/bin/helm");
    std::env::var_os("ORBITAL_HELM")
        .map(PathBuf::from)
        .or_else(|| installed.exists().then_some(installed))
        .unwrap_or_else(|| PathBuf::from("helm"))
}

fn case_file(at: usize) -> String {
    format!("templates/case-{at:03}.yaml")
}

/// The case's output between the markers every case file is wrapped in. They are not white
/// space, so a case's trim markers cannot take them.
fn between_markers(text: &str) -> &str {
    let start = text.find("BEGIN>").expect("begin marker") + "BEGIN>".len();
    let end = text[start..].find("<END").expect("end marker") + start;
    &text[start..end]
}

fn wrapped(case: &str) -> String {
    format!("BEGIN>{case}<END\n")
}

/// Runs `helm template --debug` on a chart of the test values and `templates`, each a file
/// named by [`case_file`].
fn helm_template(templates: &[String]) -> std::process::Output {
    let dir = tempfile::TempDir::new().unwrap();
    let chart = dir.path().join(CHART);
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {CHART}\nversion: 0.1.0\n"),
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    for (at, template) in templates.iter().enumerate() {
        std::fs::write(chart.join(case_file(at)), template).unwrap();
    }
    std::fs::write(chart.join("templates/zz-raw.yaml"), "raw: [\n").unwrap();
    Command::new(helm())
        .args(["template", CHART])
        .arg(&chart)
        .arg("--debug")
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run helm: {error}; scripts/setup --for-tests installs it")
        })
}

/// What Helm renders for every case, by case. A file of YAML that does not parse makes
/// `helm template --debug` print each rendered file as it is, under its `# Source:` line.
fn helm_renders() -> Vec<String> {
    let output = helm_template(&CASES.iter().map(|case| wrapped(case)).collect::<Vec<_>>());
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("# Source: "),
        "helm rendered nothing: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    (0..CASES.len())
        .map(|at| {
            let marker = format!("# Source: {CHART}/{}\n", case_file(at));
            let start = stdout
                .find(&marker)
                .unwrap_or_else(|| panic!("helm printed no {marker}"))
                + marker.len();
            between_markers(&stdout[start..]).to_owned()
        })
        .collect()
}

fn our_renders() -> Vec<String> {
    let dot = dot();
    let mut templates = Templates::with_functions(helm_functions());
    for (at, case) in CASES.iter().enumerate() {
        templates
            .add(&format!("{CHART}/{}", case_file(at)), &wrapped(case))
            .unwrap_or_else(|error| panic!("case {at} ({case}) does not parse: {error}"));
    }
    (0..CASES.len())
        .map(|at| {
            let rendered = templates
                .render(&format!("{CHART}/{}", case_file(at)), &dot)
                .unwrap_or_else(|error| panic!("case {at} ({}) failed: {error}", CASES[at]));
            // As Helm does after every render.
            between_markers(&rendered.replace("<no value>", "")).to_owned()
        })
        .collect()
}

/// The dot Helm gives the cases: the values as this engine reads them, so every case judges
/// the YAML reader too.
fn dot() -> Value {
    let values = read_yaml(VALUES).unwrap();
    Value::Map(Map::new(
        [("Values".to_owned(), values)].into_iter().collect(),
    ))
}

#[test]
fn every_case_renders_as_helm_renders_it() {
    let theirs = helm_renders();
    let ours = our_renders();
    let differences: Vec<String> = CASES
        .iter()
        .enumerate()
        .filter(|(at, _)| theirs[*at] != ours[*at])
        .map(|(at, case)| {
            format!(
                "case {at}: {case}\n  helm: {:?}\n  ours: {:?}",
                theirs[at], ours[at]
            )
        })
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}

#[test]
fn every_failing_case_fails_as_helm_fails_it() {
    let mut differences = Vec::new();
    for (case, expected) in FAILING {
        let output = helm_template(&[(*case).to_owned()]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let helm_error = stderr
            .lines()
            .find(|line| line.starts_with("Error: "))
            .unwrap_or_else(|| panic!("helm did not fail on {case}: {stderr}"));
        let mut templates = Templates::with_functions(helm_functions());
        let ours = templates
            .add(&format!("{CHART}/{}", case_file(0)), case)
            .and_then(|()| templates.render(&format!("{CHART}/{}", case_file(0)), &dot()))
            .map_or_else(
                |error| helm_message(&error),
                |rendered| format!("rendered {rendered:?}"),
            );
        if !helm_error.ends_with(expected)
            || helm_error.strip_prefix("Error: ") != Some(ours.as_str())
        {
            differences.push(format!(
                "{case}\n  expected: {expected}\n  helm: {helm_error}\n  ours: {ours}"
            ));
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));
}
